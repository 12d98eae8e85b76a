// The reference for `pnpm bench iops`: the same kernel AIO loop as the Node participants,
// in C, with raw syscalls (no libaio needed): keep QD random 4 KiB reads in flight, take
// completions off the user-space ring (io_getevents(min_nr = 1) when it is empty), resubmit
// each at a new random offset. Like @aio/core's 'auto' batching: all reaped requests in one
// io_submit for buffered reads (fewer syscalls), one per io_submit for O_DIRECT (each call
// kicks the device at once; batching them was 20-30% slower on a virtio disk).
//
//   aio-ref <file> <direct 0|1> <queue depth> <seconds>
// prints: {"ops": N, "seconds": S, "opsPerSecond": R}
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* The completion ring the kernel maps at the context address (fs/aio.c). */
struct aio_ring {
  unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
  struct io_event io_events[];
};
#define AIO_RING_MAGIC 0xa10a10a1

/* Copies up to max events off the ring without a syscall (libaio's and fio's fast path). */
static long reap_ring(aio_context_t ctx, struct io_event *events, long max) {
  struct aio_ring *ring = (struct aio_ring *)ctx;
  if (ring->magic != AIO_RING_MAGIC || ring->incompat_features != 0) return -1;
  long n = 0;
  unsigned head = ring->head;
  while (n < max) {
    unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    if (head == tail) break;
    events[n++] = ring->io_events[head];
    head = (head + 1) % ring->nr;
  }
  __atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
  return n;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s <file> <direct 0|1> <queue depth> <seconds>\n", argv[0]);
    return 2;
  }
  int direct = atoi(argv[2]);
  int qd = atoi(argv[3]);
  double seconds = atof(argv[4]);
  int fd = open(argv[1], O_RDONLY | (direct ? O_DIRECT : 0));
  if (fd < 0) return perror("open"), 1;
  struct stat st;
  fstat(fd, &st);
  uint64_t blocks = st.st_size / BLOCK;

  aio_context_t ctx = 0;
  if (syscall(SYS_io_setup, qd * 2, &ctx) < 0) return perror("io_setup"), 1;
  struct iocb *iocbs = calloc(qd, sizeof(struct iocb));
  struct iocb **ptrs = calloc(qd, sizeof(struct iocb *));
  struct io_event *events = calloc(qd, sizeof(struct io_event));
  char *buffers;
  if (posix_memalign((void **)&buffers, BLOCK, (size_t)qd * BLOCK)) return 1;

  for (int i = 0; i < qd; i++) {
    iocbs[i].aio_lio_opcode = IOCB_CMD_PREAD;
    iocbs[i].aio_fildes = fd;
    iocbs[i].aio_buf = (uint64_t)(uintptr_t)(buffers + (size_t)i * BLOCK);
    iocbs[i].aio_nbytes = BLOCK;
    iocbs[i].aio_offset = (next_random() % blocks) * BLOCK;
    iocbs[i].aio_data = i;
    ptrs[i] = &iocbs[i];
  }
  if (syscall(SYS_io_submit, ctx, qd, ptrs) != qd) return perror("io_submit"), 1;

  uint64_t ops = 0;
  double start = now(), end = start + seconds;
  while (now() < end) {
    long n = reap_ring(ctx, events, qd);
    if (n <= 0) n = syscall(SYS_io_getevents, ctx, 1, qd, events, NULL);
    if (n < 0) return perror("io_getevents"), 1;
    for (long j = 0; j < n; j++) {
      struct iocb *cb = &iocbs[events[j].data];
      cb->aio_offset = (next_random() % blocks) * BLOCK;
      ptrs[j] = cb;
    }
    long batch = direct ? 1 : n;
    for (long j = 0; j < n; j += batch) {
      if (syscall(SYS_io_submit, ctx, batch, ptrs + j) != batch) return perror("io_submit"), 1;
    }
    ops += n;
  }
  double elapsed = now() - start;
  syscall(SYS_io_destroy, ctx); /* waits for the requests still in flight */
  printf("{\"ops\": %llu, \"seconds\": %.6f, \"opsPerSecond\": %.1f}\n", (unsigned long long)ops, elapsed, ops / elapsed);
  return 0;
}
