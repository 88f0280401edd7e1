/* Lexical helpers shared by the SDP parser (net/sdp.c) and writer (net/sdp_write.c). */
#ifndef TTM_NET_SDP_INT_H
#define TTM_NET_SDP_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the token at p (up to a blank or the end). */
size_t sdp_tok_len(const char *p);
/* True if v is min..max ICE characters (RFC 8839 ice-char). */
bool sdp_ice_str_ok(const char *v, size_t min, size_t max);
/* True if v[0..n) is 1+ printable characters without blanks. */
bool sdp_token_ok(const char *v, size_t n);

#endif
