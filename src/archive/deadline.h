/* A total deadline for receiving a request's headers: libmicrohttpd's idle
 * timeout restarts on every byte, so a client sending one byte a second
 * would hold its connection for ever. */
#ifndef ESA_DEADLINE_H
#define ESA_DEADLINE_H

typedef struct esa_deadlines esa_deadlines;
typedef struct esa_deadline esa_deadline;

/* Starts the thread that shuts down connections past their deadline. */
esa_deadlines *esa_deadlines_start(unsigned seconds);
void esa_deadlines_stop(esa_deadlines *ds);

/* A connection opened on fd: its headers are due within the deadline. NULL when out of memory. */
esa_deadline *esa_deadline_add(esa_deadlines *ds, int fd);
/* The headers arrived (met) or the next request on the connection may begin (rearm). */
void esa_deadline_met(esa_deadlines *ds, esa_deadline *d);
void esa_deadline_rearm(esa_deadlines *ds, esa_deadline *d);
/* The connection is closed (before its socket is). */
void esa_deadline_remove(esa_deadlines *ds, esa_deadline *d);

#endif
