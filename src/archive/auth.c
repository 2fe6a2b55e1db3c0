#include "auth.h"

#include <stdbool.h>
#include <stdio.h>
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

static bool known_key(const esa_archive *ar, const char *user, size_t ulen, const char *key, size_t klen)
{
    bool ok = false;
    for (size_t i = 0; i < ar->n_tokens; i++) {
        bool user_ok = !user || (strlen(ar->tokens[i].user) == ulen && strncmp(ar->tokens[i].user, user, ulen) == 0);
        ok |= user_ok && same_secret(key, klen, ar->tokens[i].key);
    }
    return ok;
}

esa_auth_result esa_auth_check(const esa_archive *ar, const esa_request *rq, char *err, size_t errlen)
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
