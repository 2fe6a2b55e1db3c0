/* Server text made safe for a terminal: control bytes an archive sends
 * (ESC, BEL, CR, LF, DEL, C1 controls, invalid UTF-8) could clear the
 * screen, retitle the window or forge rows. They are written the way
 * Python's repr() writes them (\x1b, \n, \r, \t, \x07, \x7f, \x9b for
 * U+009B) and each byte of invalid UTF-8 as \xNN. Other text, valid UTF-8
 * included, stays as it is (a backslash too: clean text is unchanged). */
#ifndef ESM_TOOLS_TERMSAFE_H
#define ESM_TOOLS_TERMSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json_write.h" /* esm_buf */

/* true when s[0..n) is shown as it is. */
bool esm_termsafe_clean(const char *s, size_t n);
/* Appends s[0..n), escaped. */
void esm_termsafe_append(esm_buf *b, const char *s, size_t n);
/* Escapes what b holds from offset from on, in place. */
void esm_termsafe_tail(esm_buf *b, size_t from);
/* fputs() of the NUL-terminated s (NULL: nothing), escaped. */
void esm_termsafe_fputs(const char *s, FILE *f);

#endif
