#include "deadline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define CHECK_EVERY_MS 250

struct esa_deadline {
    esa_deadline *prev, *next;
    int fd;
    bool armed;
    struct timespec due;
};

struct esa_deadlines {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    unsigned seconds;
    esa_deadline head; /* circular list of open connections */
};

static struct timespec now_plus_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static bool passed(const struct timespec *due, const struct timespec *now)
{
    return now->tv_sec > due->tv_sec || (now->tv_sec == due->tv_sec && now->tv_nsec >= due->tv_nsec);
}

static void *check(void *arg)
{
    esa_deadlines *ds = arg;
    pthread_mutex_lock(&ds->lock);
    while (!ds->stopping) {
        struct timespec wake = now_plus_ms(CHECK_EVERY_MS), now;
        pthread_cond_timedwait(&ds->wake, &ds->lock, &wake);
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (esa_deadline *d = ds->head.next; d != &ds->head; d = d->next) {
            if (d->armed && passed(&d->due, &now)) {
                /* libmicrohttpd then reads end-of-file and closes the
                 * connection itself; the socket stays open until it tells us
                 * (esa_deadline_remove() runs first, under this lock). */
                shutdown(d->fd, SHUT_RDWR);
                d->armed = false;
            }
        }
    }
    pthread_mutex_unlock(&ds->lock);
    return NULL;
}

esa_deadlines *esa_deadlines_start(unsigned seconds)
{
    esa_deadlines *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->seconds = seconds;
    ds->head.next = ds->head.prev = &ds->head;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&ds->lock, NULL);
    pthread_cond_init(&ds->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&ds->thread, NULL, check, ds) != 0) {
        pthread_cond_destroy(&ds->wake);
        pthread_mutex_destroy(&ds->lock);
        free(ds);
        return NULL;
    }
    return ds;
}

void esa_deadlines_stop(esa_deadlines *ds)
{
    if (!ds)
        return;
    pthread_mutex_lock(&ds->lock);
    ds->stopping = true;
    pthread_cond_signal(&ds->wake);
    pthread_mutex_unlock(&ds->lock);
    pthread_join(ds->thread, NULL);
    pthread_cond_destroy(&ds->wake);
    pthread_mutex_destroy(&ds->lock);
    free(ds);
}

esa_deadline *esa_deadline_add(esa_deadlines *ds, int fd)
{
    esa_deadline *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->fd = fd;
    pthread_mutex_lock(&ds->lock);
    d->armed = true;
    d->due = now_plus_ms(1000L * ds->seconds);
    d->next = &ds->head;
    d->prev = ds->head.prev;
    d->prev->next = d;
    ds->head.prev = d;
    pthread_mutex_unlock(&ds->lock);
    return d;
}

void esa_deadline_met(esa_deadlines *ds, esa_deadline *d)
{
    pthread_mutex_lock(&ds->lock);
    d->armed = false;
    pthread_mutex_unlock(&ds->lock);
}

void esa_deadline_rearm(esa_deadlines *ds, esa_deadline *d)
{
    pthread_mutex_lock(&ds->lock);
    d->armed = true;
    d->due = now_plus_ms(1000L * ds->seconds);
    pthread_mutex_unlock(&ds->lock);
}

void esa_deadline_remove(esa_deadlines *ds, esa_deadline *d)
{
    pthread_mutex_lock(&ds->lock);
    d->prev->next = d->next;
    d->next->prev = d->prev;
    pthread_mutex_unlock(&ds->lock);
    free(d);
}
