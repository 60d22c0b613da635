/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.c: error names and the thread-local last-error message.
 *
 * The message is one line: formatting replaces any newline by a space so
 * a caller can print it as is.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MESSAGE_MAX 1024

static _Thread_local char last_message[MESSAGE_MAX];

const char *custos_version(void)
{
    return CUSTOS_VERSION_STRING;
}

const char *custos_strerror(int err)
{
    switch (err) {
    case CUSTOS_OK: return "success";
    case CUSTOS_ENOTFOUND: return "not found";
    case CUSTOS_EINVAL: return "invalid input";
    case CUSTOS_EDOMAIN: return "argument outside its domain";
    case CUSTOS_ENOMEM: return "out of memory";
    case CUSTOS_ESTORAGE: return "storage error";
    case CUSTOS_ETOOBIG: return "size limit exceeded";
    case CUSTOS_EFORBIDDEN: return "forbidden";
    case CUSTOS_EEXISTS: return "already exists";
    case CUSTOS_ETAMPER: return "integrity check failed";
    case CUSTOS_EIO: return "input/output error";
    default: return "unknown error";
    }
}

const char *custos_last_error(void)
{
    return last_message;
}

void custos_clear_error(void)
{
    last_message[0] = '\0';
}

int custos_error_setv(int err, const char *fmt, va_list ap)
{
    /* Format into a scratch buffer first: a caller may pass the current
     * message (custos_last_error()) as an argument to wrap it. */
    char tmp[MESSAGE_MAX];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    memcpy(last_message, tmp, sizeof last_message);
    for (char *p = last_message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return err;
}

int custos_error_set(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    custos_error_setv(err, fmt, ap);
    va_end(ap);
    return err;
}

int custos_error_nomem(void)
{
    return custos_error_set(CUSTOS_ENOMEM, "out of memory");
}

void custos_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size == 0)
        return;
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void custos_hex(char *out, const unsigned char *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

const char *custos_char_str(char c)
{
    static const char table[95][2] = {
        " ", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
        "@", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
        "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "[", "\\", "]", "^", "_",
        "`", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
        "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "{", "|", "}", "~",
    };
    unsigned char u = (unsigned char)c;
    return u >= 0x20 && u < 0x7f ? table[u - 0x20] : "";
}
