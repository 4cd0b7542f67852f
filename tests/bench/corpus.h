/*
 * corpus.h - building blocks of the benchmark's corpus generator
 */
#ifndef BENCH_CORPUS_H
#define BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t len, size;
};

/* the central directory of a zip being built */
struct zip_dir {
	struct buf cd;
	unsigned entries;
};

uint64_t rnd(uint64_t *s);
const char *word(uint64_t *s);
void buf_grow(struct buf *b, size_t more);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *str);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void words(struct buf *b, uint64_t *s, size_t n);
void random_bytes(struct buf *b, uint64_t *s, size_t n);
void base64(struct buf *b, const unsigned char *p, size_t n);
void headers(struct buf *b, uint64_t *s, unsigned long i);
void zip_add(struct buf *zip, struct zip_dir *dir, const char *name,
	     const struct buf *data);
void zip_finish(struct buf *zip, struct zip_dir *dir);

#endif
