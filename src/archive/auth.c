#include "auth.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Compares without an early exit, so timing tells nothing about the key. */
static bool same_secret(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < alen; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (blen ? blen : 1)]);
    return diff == 0 && blen != 0;
}

static bool known_key(esa_archive *ar, const char *user, size_t ulen, const char *key, size_t klen)
{
    bool ok = false;
    pthread_rwlock_rdlock(&ar->tokens_lock);
    const esa_tokens *t = ar->tokens;
    for (size_t i = 0; t && i < t->n; i++) {
        bool user_ok = !user || (strlen(t->items[i].user) == ulen && strncmp(t->items[i].user, user, ulen) == 0);
        ok |= user_ok && same_secret(key, klen, t->items[i].key);
    }
    pthread_rwlock_unlock(&ar->tokens_lock);
    return ok;
}

void esa_auth_swap(esa_archive *ar, esa_tokens *fresh)
{
    pthread_rwlock_wrlock(&ar->tokens_lock);
    esa_tokens *old = ar->tokens;
    ar->tokens = fresh;
    pthread_rwlock_unlock(&ar->tokens_lock);
    if (old)
        esa_tokens_free(old);
    free(old);
}

esa_auth_result esa_auth_check(esa_archive *ar, const esa_request *rq, char *err, size_t errlen)
{
    const char *h = rq->authorization;
    *err = '\0';
    if (!h)
        return ESA_AUTH_ANONYMOUS;
    size_t kw = strcspn(h, " ");
    const char *cred = h + kw;
    while (*cred == ' ')
        cred++;
    if (kw == 5 && strncasecmp(h, "Token", 5) == 0) {
        if (!*cred) {
            snprintf(err, errlen, "Invalid token header. No credentials provided.");
            return ESA_AUTH_INVALID;
        }
        if (strchr(cred, ' ')) {
            snprintf(err, errlen, "Invalid token header. Token string should not contain spaces.");
            return ESA_AUTH_INVALID;
        }
        if (!known_key(ar, NULL, 0, cred, strlen(cred))) {
            snprintf(err, errlen, "Invalid token.");
            return ESA_AUTH_INVALID;
        }
        return ESA_AUTH_OK;
    }
    if (kw == 6 && strncasecmp(h, "ApiKey", 6) == 0) {
        const char *colon = strchr(cred, ':');
        if (colon && known_key(ar, cred, (size_t)(colon - cred), colon + 1, strlen(colon + 1)))
            return ESA_AUTH_OK;
        snprintf(err, errlen, "Invalid API key.");
    }
    return ESA_AUTH_ANONYMOUS;
}
