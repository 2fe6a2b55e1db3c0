/* Walks the text of a JSON list page element by element, so that a reader
 * holds the page's text and one parsed element, never the page's tree. The
 * elements themselves are parsed by page.c. */
#include <string.h>

#include "internal.h"

static size_t skip_space(const esm__list *l, size_t pos)
{
    while (pos < l->len && (l->text[pos] == ' ' || l->text[pos] == '\t' || l->text[pos] == '\r' || l->text[pos] == '\n'))
        pos++;
    return pos;
}

/* JSON text never holds a raw NUL (in a string it must be \u0000); jansson,
 * reading one element at a time, would take one for the end of its input. */
bool esm__list_open(esm__list *l, const char *text, size_t len)
{
    *l = (esm__list){text, len, 0, 0};
    l->pos = skip_space(l, 0);
    if (!text || l->pos >= len || text[l->pos] != '[' || memchr(text, '\0', len))
        return false;
    l->pos++;
    return true;
}

int esm__list_next(esm__list *l, const char **at, size_t *left)
{
    size_t pos = skip_space(l, l->pos);
    if (pos < l->len && l->text[pos] == ']')
        return skip_space(l, pos + 1) == l->len ? 0 : -1;
    if (l->n > 0) {
        if (pos >= l->len || l->text[pos] != ',')
            return -1;
        pos = skip_space(l, pos + 1);
    }
    l->pos = pos;
    *at = l->text + pos;
    *left = l->len - pos;
    return 1;
}

void esm__list_took(esm__list *l, size_t used)
{
    l->pos += used;
    l->n++;
}
