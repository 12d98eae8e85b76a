// The reference for `pnpm bench iops`: the same kernel AIO loop as the Node participants,
// in C, with raw syscalls (no libaio needed): keep QD random reads in flight, take
// completions off the user-space ring (io_getevents(min_nr = 1) when it is empty), resubmit
// each at the next offset. The offsets come from a file the bench writes (little-endian
// uint64, used in order and wrapped), so this loop reads exactly what the Node loops read.
// Like @aio/core's 'auto' batching: all reaped requests in one io_submit for buffered reads
// (fewer syscalls), one per io_submit for O_DIRECT (each call kicks the device at once;
// batching them was 20-30% slower on a virtio disk).
//
// Latency is sampled like the Node loops do (1 request in SAMPLE_EVERY, from just before its
// io_submit to its reap); clock_gettime is a vDSO call, about 20 ns here.
//
//   aio-ref <file> <direct 0|1> <queue depth> <seconds> <offsets file> [block bytes]
// prints: {"ops": N, "seconds": S, "opsPerSecond": R, "reaps": W, "p50us": .., "p99us": ..,
//          "p999us": .., "samples": K, "offsets": C, "offsetSum": X}
// (the count and sum of the offsets it loaded, which the bench checks against its list)
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

#define SAMPLE_EVERY 8
#define MAX_SAMPLES (1 << 17)

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

static uint64_t *load_offsets(const char *path, size_t *count) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  rewind(f);
  *count = bytes / sizeof(uint64_t);
  uint64_t *list = malloc(bytes > 0 ? bytes : 1);
  if (*count == 0 || fread(list, sizeof(uint64_t), *count, f) != *count) list = NULL;
  fclose(f);
  return list; /* the file is little-endian uint64: the native order on every target we run */
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Nearest rank, as bench/src/stats.ts computes it. */
static double rank(const double *sorted, long n, double p) {
  double x = p / 100 * n;
  long r = (long)x;
  if (r < x) r++; /* ceil without libm */
  r--;
  return sorted[r < 0 ? 0 : r >= n ? n - 1 : r];
}

int main(int argc, char **argv) {
  if (argc != 6 && argc != 7) {
    fprintf(stderr, "usage: %s <file> <direct 0|1> <queue depth> <seconds> <offsets> [block]\n", argv[0]);
    return 2;
  }
  int direct = atoi(argv[2]);
  int qd = atoi(argv[3]);
  double seconds = atof(argv[4]);
  size_t count = 0, next = 0;
  uint64_t *offsets = load_offsets(argv[5], &count);
  if (!offsets) return fprintf(stderr, "cannot read offsets from %s\n", argv[5]), 1;
  unsigned long long offset_sum = 0;
  for (size_t i = 0; i < count; i++) offset_sum += offsets[i];
  size_t block = argc == 7 ? strtoul(argv[6], NULL, 10) : 4096;
  int fd = open(argv[1], O_RDONLY | (direct ? O_DIRECT : 0));
  if (fd < 0) return perror("open"), 1;

  aio_context_t ctx = 0;
  if (syscall(SYS_io_setup, qd * 2, &ctx) < 0) return perror("io_setup"), 1;
  struct iocb *iocbs = calloc(qd, sizeof(struct iocb));
  struct iocb **ptrs = calloc(qd, sizeof(struct iocb *));
  struct io_event *events = calloc(qd, sizeof(struct io_event));
  double *issued = calloc(qd, sizeof(double)); /* submit time of a sampled slot, else 0 */
  double *samples = calloc(MAX_SAMPLES, sizeof(double));
  long nsamples = 0;
  char *buffers;
  if (posix_memalign((void **)&buffers, 4096, (size_t)qd * block)) return 1;

  uint64_t ops = 0, reaps = 0, seq = 0;
  double t = now();
  for (int i = 0; i < qd; i++) {
    iocbs[i].aio_lio_opcode = IOCB_CMD_PREAD;
    iocbs[i].aio_fildes = fd;
    iocbs[i].aio_buf = (uint64_t)(uintptr_t)(buffers + (size_t)i * block);
    iocbs[i].aio_nbytes = block;
    iocbs[i].aio_offset = offsets[next++ % count];
    iocbs[i].aio_data = i;
    issued[i] = seq++ % SAMPLE_EVERY == 0 ? t : 0;
    ptrs[i] = &iocbs[i];
  }
  if (syscall(SYS_io_submit, ctx, qd, ptrs) != qd) return perror("io_submit"), 1;

  double start = now(), end = start + seconds;
  for (double at = start; at < end; at = now()) {
    long n = reap_ring(ctx, events, qd);
    if (n <= 0) n = syscall(SYS_io_getevents, ctx, 1, qd, events, NULL);
    if (n < 0) return perror("io_getevents"), 1;
    reaps++;
    double reaped = now();
    for (long j = 0; j < n; j++) {
      long slot = (long)events[j].data;
      if (issued[slot] > 0 && nsamples < MAX_SAMPLES) samples[nsamples++] = (reaped - issued[slot]) * 1e6;
      struct iocb *cb = &iocbs[slot];
      cb->aio_offset = offsets[next++ % count];
      issued[slot] = seq++ % SAMPLE_EVERY == 0 ? reaped : 0;
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
  qsort(samples, nsamples, sizeof(double), by_value);
  double p50 = nsamples ? rank(samples, nsamples, 50) : 0;
  double p99 = nsamples ? rank(samples, nsamples, 99) : 0;
  double p999 = nsamples ? rank(samples, nsamples, 99.9) : 0;
  printf("{\"ops\": %llu, \"seconds\": %.6f, \"opsPerSecond\": %.1f, \"reaps\": %llu, "
         "\"p50us\": %.2f, \"p99us\": %.2f, \"p999us\": %.2f, \"samples\": %ld, "
         "\"offsets\": %zu, \"offsetSum\": %llu}\n",
         (unsigned long long)ops, elapsed, ops / elapsed, (unsigned long long)reaps, p50, p99, p999,
         nsamples, count, offset_sum);
  return 0;
}
