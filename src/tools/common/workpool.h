/* Tasks run on a few threads and handed back in the order they were
 * submitted, so that a tool's output stays that of a sequential run. Each
 * thread has its own context (a client of its own, say); a bounded window of
 * tasks is queued, running or done at once. With no threads the tasks run
 * one by one on the caller's thread, in esm_pool_next(). */
#ifndef ESM_TOOLS_WORKPOOL_H
#define ESM_TOOLS_WORKPOOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct esm_pool esm_pool;
typedef void (*esm_pool_fn)(void *context, void *task);

/* threads: 0 (the caller's thread) or more, each given contexts[i] (with 0
 * threads, contexts[0]); window: tasks held at once (at least 1). NULL when
 * out of memory or when a thread cannot be started. */
esm_pool *esm_pool_new(size_t threads, void *const *contexts, size_t window, esm_pool_fn run);
/* Whether the window is full: esm_pool_next() must hand a task back first. */
bool esm_pool_full(const esm_pool *p);
/* Queues task (borrowed until esm_pool_next() returns it). The window must not be full. */
void esm_pool_submit(esm_pool *p, void *task);
/* The oldest task held (NULL when none), still queued or running perhaps. */
void *esm_pool_oldest(const esm_pool *p);
/* The oldest task once it has run (*ran true), or after esm_pool_cancel()
 * without running it (*ran false); NULL when none is held. */
void *esm_pool_next(esm_pool *p, bool *ran);
/* No more tasks are started; those running finish. */
void esm_pool_cancel(esm_pool *p);
/* Cancels, waits for the threads and frees; tasks still held are the caller's. */
void esm_pool_free(esm_pool *p);

#endif
