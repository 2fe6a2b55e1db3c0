/* One-line terminal progress (see progress.h). */
#include "progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_MS 250

struct esm_progress {
    const char *unit;
    long long started_ms, drawn_ms; /* drawn_ms: -1 before the first line */
};

static esm_progress *shown; /* the display whose line may be on the screen */
static bool on_screen;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

esm_progress *esm_progress_start(const char *unit)
{
    if (!isatty(STDERR_FILENO))
        return NULL;
    esm_progress *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    *p = (esm_progress){.unit = unit, .started_ms = now_ms(), .drawn_ms = -1};
    shown = p;
    return p;
}

/* Columns of the terminal; a line that wraps could not be redrawn in place. */
static size_t width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col < 2)
        return 79;
    return ws.ws_col - 1u;
}

void esm_progress_update(esm_progress *p, unsigned long long done, unsigned long long points)
{
    if (!p)
        return;
    long long now = now_ms();
    /* in place at most every REDRAW_MS; at once when other output cleared it */
    if (p->drawn_ms >= 0 && on_screen && now - p->drawn_ms < REDRAW_MS)
        return;
    p->drawn_ms = now;
    long long secs = (now - p->started_ms) / 1000;
    double rate = now > p->started_ms ? (double)points * 1000.0 / (double)(now - p->started_ms) : 0.0;
    char line[256];
    int n = snprintf(line, sizeof line, "%s %llu, %llu points, %.0f points/s, %lld:%02lld", p->unit, done, points,
                     rate, secs / 60, secs % 60);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    size_t cols = width();
    fflush(stdout); /* what the tool printed comes first */
    fprintf(stderr, "\r\033[K%.*s", (int)(len < cols ? len : cols), line);
    fflush(stderr);
    on_screen = true;
}

void esm_progress_hide(void)
{
    if (!shown || !on_screen)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    on_screen = false;
}

void esm_progress_end(esm_progress *p)
{
    if (!p)
        return;
    esm_progress_hide();
    if (shown == p)
        shown = NULL;
    free(p);
}
