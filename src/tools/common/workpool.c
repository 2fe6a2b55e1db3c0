/* Ordered work pool (see workpool.h): a ring of task slots; tasks from
 * `head` to `tail` are held, those from `started` on wait for a thread. */
#include "workpool.h"

#include <pthread.h>
#include <stdlib.h>

typedef enum { QUEUED, RUNNING, DONE } slot_state;

typedef struct {
    void *task;
    slot_state state;
} slot;

typedef struct {
    esm_pool *pool;
    void *context;
    pthread_t id;
} worker;

struct esm_pool {
    esm_pool_fn run;
    size_t window, head, tail, started; /* counters; slot i is ring[i % window] */
    slot *ring;
    bool cancelled;
    void *inline_context; /* with no threads */
    size_t n_workers;
    worker *workers;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
};

static void *work(void *arg)
{
    worker *w = arg;
    esm_pool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->cancelled && p->started == p->tail)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->cancelled)
            break;
        slot *s = &p->ring[p->started++ % p->window];
        s->state = RUNNING;
        pthread_mutex_unlock(&p->lock);
        p->run(w->context, s->task);
        pthread_mutex_lock(&p->lock);
        s->state = DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

esm_pool *esm_pool_new(size_t threads, void *const *contexts, size_t window, esm_pool_fn run)
{
    esm_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->run = run;
    p->window = window ? window : 1;
    p->ring = calloc(p->window, sizeof *p->ring);
    p->workers = threads ? calloc(threads, sizeof *p->workers) : NULL;
    if (!p->ring || (threads && !p->workers)) {
        free(p->ring);
        free(p->workers);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->inline_context = threads ? NULL : contexts[0];
    for (; p->n_workers < threads; p->n_workers++) {
        worker *w = &p->workers[p->n_workers];
        *w = (worker){p, contexts[p->n_workers], 0};
        if (pthread_create(&w->id, NULL, work, w) != 0) {
            esm_pool_free(p);
            return NULL;
        }
    }
    return p;
}

bool esm_pool_full(const esm_pool *p)
{
    return p->tail - p->head >= p->window;
}

void esm_pool_submit(esm_pool *p, void *task)
{
    pthread_mutex_lock(&p->lock);
    p->ring[p->tail++ % p->window] = (slot){task, QUEUED};
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
}

void *esm_pool_oldest(const esm_pool *p)
{
    return p->head == p->tail ? NULL : p->ring[p->head % p->window].task;
}

void *esm_pool_next(esm_pool *p, bool *ran)
{
    if (p->head == p->tail)
        return NULL;
    slot *s = &p->ring[p->head % p->window];
    pthread_mutex_lock(&p->lock);
    if (!p->workers && !p->cancelled) {
        p->started++;
        pthread_mutex_unlock(&p->lock);
        p->run(p->inline_context, s->task);
        pthread_mutex_lock(&p->lock);
        s->state = DONE;
    }
    while (s->state == RUNNING || (s->state == QUEUED && !p->cancelled))
        pthread_cond_wait(&p->done, &p->lock);
    *ran = s->state == DONE;
    p->head++;
    pthread_mutex_unlock(&p->lock);
    return s->task;
}

void esm_pool_cancel(esm_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->cancelled = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
}

void esm_pool_free(esm_pool *p)
{
    if (!p)
        return;
    esm_pool_cancel(p);
    for (size_t i = 0; i < p->n_workers; i++)
        pthread_join(p->workers[i].id, NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->workers);
    free(p->ring);
    free(p);
}
