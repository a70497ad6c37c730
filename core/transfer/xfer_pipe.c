/* xfer_pipe.c - a transfer's two ends working at once: the client's socket
 * in the calling thread, the datapath in a helper thread, with a ring of
 * pieces between them (as xd_vdi_data_copy does for a copy). Without it
 * the client waits while a piece goes to or comes from the datapath, and
 * the datapath waits while the client sends or reads one: the transfer
 * runs at the sum of the two times instead of the larger one.
 *
 *   sink    (imports)  the caller fills pieces from the request body; the
 *                      helper writes them, zeros as holes (xd_xfer_put)
 *   source  (exports)  the helper reads the pieces the caller's plan names,
 *                      holes as zeros without reading (a piece that is all
 *                      hole is sent from one zero buffer); the caller sends them
 *
 * The datapath is used by the helper only while the pipe runs. A helper's
 * failure comes first: it happened to an earlier piece than anything the
 * caller found afterwards. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "transfer.h"

#define PIPE_RING 4

typedef struct pipe_piece {
	char *buf;
	const char *data; /* source: buf, or the ring's zeros for a piece that is all hole */
	int64_t off;
	size_t len;   /* bytes of the datapath */
	size_t total; /* bytes of the piece: len, then zeros */
} pipe_piece;

typedef struct pipe_ring {
	xd_vdi_data *d;
	pthread_t helper;
	bool running;
	pthread_mutex_t m;
	pthread_cond_t c;
	pipe_piece ring[PIPE_RING];
	char *zeros;               /* source: piece_max zero bytes, sent for whole holes */
	size_t head, tail, filled; /* next slot filled; next slot drained; slots full */
	bool closing;              /* the caller wants the helper to stop */
	bool done;                 /* the helper stopped (or failed) */
	xd_error err;              /* the helper's failure */
} pipe_ring;

static int ring_init(pipe_ring *r, xd_vdi_data *d, size_t piece_max)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	pthread_mutex_init(&r->m, NULL);
	pthread_cond_init(&r->c, NULL);
	for (size_t i = 0; i < PIPE_RING; i++)
		if (!(r->ring[i].buf = malloc(piece_max ? piece_max : 1)))
			abort();
	return 0;
}

static int ring_start(pipe_ring *r, void *(*fn)(void *), xd_error *err)
{
	if (pthread_create(&r->helper, NULL, fn, r) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot start a transfer's datapath thread");
	r->running = true;
	return 0;
}

/* Stops and joins the helper; its failure (if any) replaces err. */
static int ring_end(pipe_ring *r, xd_error *err)
{
	pthread_mutex_lock(&r->m);
	r->closing = true;
	pthread_cond_broadcast(&r->c);
	pthread_mutex_unlock(&r->m);
	if (r->running)
		pthread_join(r->helper, NULL);
	int rc = 0;
	if (r->err.code) {
		xd_error_clear(err);
		xd_error_copy(err, &r->err);
		rc = -1;
	}
	for (size_t i = 0; i < PIPE_RING; i++)
		free(r->ring[i].buf);
	free(r->zeros);
	xd_error_clear(&r->err);
	pthread_mutex_destroy(&r->m);
	pthread_cond_destroy(&r->c);
	return rc;
}

/* The helper's side: publishes a failure and stops. */
static void helper_failed(pipe_ring *r, xd_error *e)
{
	pthread_mutex_lock(&r->m);
	xd_error_copy(&r->err, e);
	r->done = true;
	pthread_cond_broadcast(&r->c);
	pthread_mutex_unlock(&r->m);
	xd_error_clear(e);
}

/* ---- sink ---------------------------------------------------------------------- */

struct xd_xfer_sink {
	pipe_ring r;
	xd_xfer_sink_write_fn write;
	void *ctx;
};

static int put_piece(void *ctx, xd_vdi_data *d, const char *buf, size_t len, int64_t off,
		     xd_error *err)
{
	(void)ctx;
	return xd_xfer_put(d, buf, len, off, err);
}

static void *sink_writer(void *arg)
{
	xd_xfer_sink *s = arg; /* r is its first member */
	pipe_ring *r = &s->r;
	for (;;) {
		pthread_mutex_lock(&r->m);
		while (r->filled == 0 && !r->closing)
			pthread_cond_wait(&r->c, &r->m);
		if (r->filled == 0) { /* closing, everything written */
			r->done = true;
			pthread_mutex_unlock(&r->m);
			return NULL;
		}
		pipe_piece *p = &r->ring[r->tail];
		pthread_mutex_unlock(&r->m);
		xd_error e = XD_ERROR_INIT;
		if (s->write(s->ctx, r->d, p->buf, p->len, p->off, &e) < 0) {
			helper_failed(r, &e);
			return NULL;
		}
		pthread_mutex_lock(&r->m);
		r->tail = (r->tail + 1) % PIPE_RING;
		r->filled--;
		pthread_cond_broadcast(&r->c);
		pthread_mutex_unlock(&r->m);
	}
}

xd_xfer_sink *xd_xfer_sink_start(xd_vdi_data *d, size_t piece_max, xd_xfer_sink_write_fn write,
				 void *ctx, xd_error *err)
{
	xd_xfer_sink *s = malloc(sizeof(*s));
	if (!s)
		abort();
	ring_init(&s->r, d, piece_max);
	s->write = write ? write : put_piece;
	s->ctx = ctx;
	if (ring_start(&s->r, sink_writer, err) < 0) {
		ring_end(&s->r, err);
		free(s);
		return NULL;
	}
	return s;
}

char *xd_xfer_sink_buf(xd_xfer_sink *s, xd_error *err)
{
	pipe_ring *r = &s->r;
	pthread_mutex_lock(&r->m);
	while (r->filled == PIPE_RING && !r->done)
		pthread_cond_wait(&r->c, &r->m);
	bool failed = r->done;
	pthread_mutex_unlock(&r->m);
	if (failed) {
		xd_error_copy(err, &r->err);
		return NULL;
	}
	return r->ring[r->head].buf;
}

void xd_xfer_sink_put(xd_xfer_sink *s, size_t len, int64_t off)
{
	pipe_ring *r = &s->r;
	pthread_mutex_lock(&r->m);
	r->ring[r->head].len = len;
	r->ring[r->head].off = off;
	r->head = (r->head + 1) % PIPE_RING;
	r->filled++;
	pthread_cond_broadcast(&r->c);
	pthread_mutex_unlock(&r->m);
}

int xd_xfer_sink_end(xd_xfer_sink *s, xd_error *err)
{
	if (!s)
		return 0;
	int rc = ring_end(&s->r, err);
	free(s);
	return rc;
}

/* ---- source -------------------------------------------------------------------- */

struct xd_xfer_source {
	pipe_ring r;
	xd_xfer_source_next_fn next;
	void *ctx;
	bool holding; /* the caller has the slot at tail */
};

/* [off, off+len) of d into buf: data extents read, holes as zeros. 1
 * without touching buf when it is all one hole (the caller sends zeros it
 * has: most of a sparse disk's raw export costs neither a read nor a
 * memset), else 0; -1 with err. */
static int fill(xd_vdi_data *d, char *buf, int64_t off, size_t len, xd_error *err)
{
	size_t got = 0;
	while (got < len) {
		bool hole;
		int64_t n = xd_vdi_data_extent(d, off + (int64_t)got, (int64_t)(len - got), &hole, err);
		if (n < 0)
			return -1;
		if (hole && got == 0 && (size_t)n >= len)
			return 1;
		if (hole)
			memset(buf + got, 0, (size_t)n);
		else if (xd_vdi_data_read(d, buf + got, (size_t)n, off + (int64_t)got, err) < 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void *source_reader(void *arg)
{
	xd_xfer_source *s = arg; /* r is its first member */
	pipe_ring *r = &s->r;
	for (;;) {
		pthread_mutex_lock(&r->m);
		while (r->filled == PIPE_RING && !r->closing)
			pthread_cond_wait(&r->c, &r->m);
		bool closing = r->closing;
		pipe_piece *p = &r->ring[r->head];
		pthread_mutex_unlock(&r->m);
		if (closing)
			break;
		xd_error e = XD_ERROR_INIT;
		int more = s->next(s->ctx, &p->off, &p->len, &p->total, &e);
		if (more > 0)
			break;
		int filled = more < 0 ? -1 : fill(r->d, p->buf, p->off, p->len, &e);
		if (filled < 0) {
			helper_failed(r, &e);
			return NULL;
		}
		p->data = filled ? r->zeros : p->buf;
		if (!filled)
			memset(p->buf + p->len, 0, p->total - p->len);
		pthread_mutex_lock(&r->m);
		r->head = (r->head + 1) % PIPE_RING;
		r->filled++;
		pthread_cond_broadcast(&r->c);
		pthread_mutex_unlock(&r->m);
	}
	pthread_mutex_lock(&r->m);
	r->done = true;
	pthread_cond_broadcast(&r->c);
	pthread_mutex_unlock(&r->m);
	return NULL;
}

xd_xfer_source *xd_xfer_source_start(xd_vdi_data *d, size_t piece_max,
				     xd_xfer_source_next_fn next, void *ctx, xd_error *err)
{
	xd_xfer_source *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	ring_init(&s->r, d, piece_max);
	if (!(s->r.zeros = calloc(1, piece_max ? piece_max : 1)))
		abort();
	s->next = next;
	s->ctx = ctx;
	if (ring_start(&s->r, source_reader, err) < 0) {
		ring_end(&s->r, err);
		free(s);
		return NULL;
	}
	return s;
}

int64_t xd_xfer_source_next(xd_xfer_source *s, const char **buf, int64_t *off, xd_error *err)
{
	pipe_ring *r = &s->r;
	pthread_mutex_lock(&r->m);
	if (s->holding) { /* the caller is done with the last piece */
		r->tail = (r->tail + 1) % PIPE_RING;
		r->filled--;
		s->holding = false;
		pthread_cond_broadcast(&r->c);
	}
	while (r->filled == 0 && !r->done)
		pthread_cond_wait(&r->c, &r->m);
	/* pieces read before a failure go first: the failure belongs to the next */
	if (r->filled == 0) {
		pthread_mutex_unlock(&r->m);
		if (r->err.code) {
			xd_error_copy(err, &r->err);
			return -1;
		}
		return 0;
	}
	pipe_piece *p = &r->ring[r->tail];
	s->holding = true;
	pthread_mutex_unlock(&r->m);
	*buf = p->data;
	if (off)
		*off = p->off;
	return (int64_t)p->total;
}

void xd_xfer_source_end(xd_xfer_source *s)
{
	if (!s)
		return;
	xd_error ignored = XD_ERROR_INIT;
	ring_end(&s->r, &ignored);
	xd_error_clear(&ignored);
	free(s);
}
