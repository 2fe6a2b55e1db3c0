/* A one-line progress display on stderr while a tool works (series or
 * records done, points, rate, time), only when stderr is a terminal: a file
 * or a pipe never gets it. The line is redrawn in place at most 4 times a
 * second and cleared at the end; anything else written to the terminal
 * meanwhile must call esm_progress_hide() first, so no line is written over
 * it (the loaders' log does), and the next update puts it back below.
 * Not thread-safe: one thread calls these (or the caller's lock orders them). */
#ifndef ESM_TOOLS_PROGRESS_H
#define ESM_TOOLS_PROGRESS_H

typedef struct esm_progress esm_progress;

/* unit names what is counted ("series", "records"). NULL, and no output
 * ever, when stderr is not a terminal (or out of memory); every function
 * takes NULL. At most one display exists at a time. */
esm_progress *esm_progress_start(const char *unit);
/* The counts so far; draws the line when it is due (the first update is). */
void esm_progress_update(esm_progress *p, unsigned long long done, unsigned long long points);
/* Clears the line, if one is drawn, before other output to the terminal;
 * the next update draws it again. */
void esm_progress_hide(void);
/* Clears the line and frees p (at the end, on errors and after signals). */
void esm_progress_end(esm_progress *p);

#endif
