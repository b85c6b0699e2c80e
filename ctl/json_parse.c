// SPDX-License-Identifier: GPL-2.0-or-later
/* Strict JSON parser: QEMU's dialect, pipeline and error texts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/json.h"
#include "ctl/utf8.h"

/*
 * DOC: parsing pipeline
 *
 * Like QEMU, parsing runs in three stages, and the stage that fails first
 * decides the error text:
 * - the lexer cuts the input into tokens; a byte that cannot continue the
 *   current token ends lexing with "stray '<token so far>'";
 * - the streamer groups tokens into messages: a message ends when the
 *   brace/bracket depth returns to zero (or goes negative);
 * - the parser turns one message into a value.
 * The first message decides the result; any further message (even a valid
 * one) turns a success into "Expecting at most one JSON value".
 */

enum tok_type {
	TOK_LCURLY,
	TOK_RCURLY,
	TOK_LSQUARE,
	TOK_RSQUARE,
	TOK_COMMA,
	TOK_COLON,
	TOK_STRING,
	TOK_INTEGER,
	TOK_FLOAT,
	TOK_KEYWORD,
	TOK_ERROR,
	TOK_EOI,
	TOK_TYPE_COUNT
};

struct tok {
	enum tok_type type;
	const char *s;
	size_t len;
};

struct parser {
	const struct tok *t;
	size_t n, pos;
	struct strbuf *err;
	int failed;
};

/* --------------------------------------------------------------- lexer */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int str_byte_ok(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x20 && u <= 0xFD;
}

/**
 * lex_number() - scan a number token at @s
 * @s:		first character ('-' or a digit)
 * @tok:	filled with the token (TOK_INTEGER, TOK_FLOAT or TOK_ERROR)
 */
static void lex_number(const char *s, struct tok *tok)
{
	size_t i = 0;
	int is_float = 0;

	tok->s = s;
	if (s[i] == '-')
		i++;
	if (s[i] == '0') {
		i++;
		if (is_digit(s[i]))
			goto bad;
	} else if (is_digit(s[i])) {
		while (is_digit(s[i]))
			i++;
	} else {
		goto bad;
	}
	if (s[i] == '.') {
		i++, is_float = 1;
		if (!is_digit(s[i]))
			goto bad;
		while (is_digit(s[i]))
			i++;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		i++, is_float = 1;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!is_digit(s[i]))
			goto bad;
		while (is_digit(s[i]))
			i++;
	}
	tok->type = is_float ? TOK_FLOAT : TOK_INTEGER;
	tok->len = i;
	return;
bad:
	tok->type = TOK_ERROR;
	tok->len = s[i] ? i + 1 : i;
}

/**
 * lex_string() - scan a string token at @s (opening quote included)
 * @s:		the opening quote
 * @tok:	filled with the token (TOK_STRING or TOK_ERROR)
 */
static void lex_string(const char *s, struct tok *tok)
{
	char q = s[0];
	size_t i = 1;

	tok->s = s;
	for (;;) {
		if (s[i] == '\\') {
			i++;
			if (!str_byte_ok(s[i]))
				break;
			i++;
		} else if (s[i] == q) {
			tok->type = TOK_STRING;
			tok->len = i + 1;
			return;
		} else if (str_byte_ok(s[i])) {
			i++;
		} else {
			break;
		}
	}
	tok->type = TOK_ERROR;
	tok->len = s[i] ? i + 1 : i;
}

/**
 * lex_next() - scan the token at *@pp and advance past it
 * @pp:		input position
 * @tok:	the token
 */
static void lex_next(const char **pp, struct tok *tok)
{
	const char *p = *pp;
	size_t i;

	while (is_ws(*p))
		p++;
	tok->s = p;
	tok->len = 1;
	switch (*p) {
	case '\0':
		tok->type = TOK_EOI;
		tok->len = 0;
		break;
	case '{':
		tok->type = TOK_LCURLY;
		break;
	case '}':
		tok->type = TOK_RCURLY;
		break;
	case '[':
		tok->type = TOK_LSQUARE;
		break;
	case ']':
		tok->type = TOK_RSQUARE;
		break;
	case ',':
		tok->type = TOK_COMMA;
		break;
	case ':':
		tok->type = TOK_COLON;
		break;
	case '"':
	case '\'':
		lex_string(p, tok);
		break;
	default:
		if (*p == '-' || is_digit(*p)) {
			lex_number(p, tok);
		} else if (*p >= 'a' && *p <= 'z') {
			for (i = 0; p[i] >= 'a' && p[i] <= 'z'; i++)
				;
			tok->type = TOK_KEYWORD;
			tok->len = i;
		} else {
			tok->type = TOK_ERROR;
		}
	}
	*pp = p + tok->len;
}

/* -------------------------------------------------------------- parser */

static void perr(struct parser *ps, const char *fmt, const char *arg, int n)
{
	if (ps->failed)
		return;
	ps->failed = 1;
	strbuf_puts(ps->err, "JSON parse error, ");
	if (arg)
		strbuf_printf(ps->err, fmt, n, arg);
	else
		strbuf_puts(ps->err, fmt);
}

static const struct tok *peek(struct parser *ps)
{
	return ps->pos < ps->n ? &ps->t[ps->pos] : NULL;
}

static const struct tok *pop(struct parser *ps)
{
	return ps->pos < ps->n ? &ps->t[ps->pos++] : NULL;
}

static struct json_value *parse_value(struct parser *ps);

static int hex4(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/**
 * parse_uescape() - decode \uXXXX (and a surrogate pair) at @p
 * @p:		points at the backslash
 * @end:	end of the token text
 * @cp:		decoded code point, or -1
 *
 * Return: bytes consumed from @p (6 or 12; may run past @end when the
 * token is short, which the caller clips)
 */
static size_t parse_uescape(const char *p, const char *end, int32_t *cp)
{
	int32_t c, trail;

	c = (end - p >= 6) ? hex4(p + 2) : -1;
	if (c >= 0xD800 && c <= 0xDBFF && end - p >= 8 && p[6] == '\\' &&
	    p[7] == 'u') {
		trail = end - p >= 12 ? hex4(p + 8) : -1;
		if (trail >= 0xDC00 && trail <= 0xDFFF) {
			*cp = 0x10000 + ((c & 0x3FF) << 10) + (trail & 0x3FF);
			return 12;
		}
		*cp = -1;
		return 6;
	}
	*cp = c;
	return 6;
}

static char unescape_simple(char c)
{
	switch (c) {
	case '"':
	case '\'':
	case '\\':
	case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return 0;
	}
}

/**
 * parse_string() - decode a string token into modified UTF-8
 * @ps:		parser (for errors)
 * @t:		the token, quotes included
 *
 * Return: the string value, or NULL on error
 */
static struct json_value *parse_string(struct parser *ps, const struct tok *t)
{
	const char *p = t->s + 1, *end = t->s + t->len - 1, *next;
	struct strbuf sb = STRBUF_INIT;
	struct json_value *v;
	char buf[5], c;
	size_t used;
	int32_t cp;

	while (p < end) {
		if (*p == '\\') {
			if (p[1] == 'u') {
				used = parse_uescape(p, end, &cp);
				if (utf8_encode(buf, cp) < 0) {
					if (used > (size_t)(t->s + t->len - p))
						used = t->s + t->len - p;
					perr(ps, "%.*s is not a valid Unicode "
					     "character", p, (int)used);
					goto err;
				}
				strbuf_puts(&sb, buf);
				p += used;
				continue;
			}
			c = unescape_simple(p[1]);
			if (!c) {
				perr(ps, "invalid escape sequence in string",
				     NULL, 0);
				goto err;
			}
			strbuf_putc(&sb, c);
			p += 2;
			continue;
		}
		cp = utf8_decode(p, (size_t)(end - p), &next);
		if (cp < 0 || utf8_encode(buf, cp) < 0) {
			perr(ps, "invalid UTF-8 sequence in string", NULL, 0);
			goto err;
		}
		strbuf_puts(&sb, buf);
		p = next;
	}
	v = json_new_stringn(strbuf_str(&sb), sb.len);
	strbuf_free(&sb);
	return v;
err:
	strbuf_free(&sb);
	return NULL;
}

/**
 * parse_number() - convert a number token, as QEMU does
 * @t:	TOK_INTEGER or TOK_FLOAT
 *
 * Integers become JSON_INT when they fit int64, else JSON_UINT when they
 * fit uint64, else JSON_DOUBLE.
 *
 * Return: the value, or NULL on allocation failure
 */
static struct json_value *parse_number(const struct tok *t)
{
	char *buf = strndup(t->s, t->len), *end;
	struct json_value *v = NULL;
	unsigned long long u;
	long long i;

	if (!buf)
		return NULL;
	if (t->type == TOK_INTEGER) {
		errno = 0;
		i = strtoll(buf, &end, 10);
		if (!errno) {
			v = json_new_int(i);
			goto out;
		}
		if (buf[0] != '-') {
			errno = 0;
			u = strtoull(buf, &end, 10);
			if (!errno) {
				v = json_new_uint(u);
				goto out;
			}
		}
	}
	v = json_new_double(strtod(buf, NULL));
out:
	free(buf);
	return v;
}

static struct json_value *parse_keyword(struct parser *ps, const struct tok *t)
{
	if (t->len == 4 && !strncmp(t->s, "true", 4))
		return json_new_bool(true);
	if (t->len == 5 && !strncmp(t->s, "false", 5))
		return json_new_bool(false);
	if (t->len == 4 && !strncmp(t->s, "null", 4))
		return json_new_null();
	perr(ps, "invalid keyword '%.*s'", t->s, (int)t->len);
	return NULL;
}

static int parse_pair(struct parser *ps, struct json_value *obj)
{
	struct json_value *key, *val;
	const struct tok *t;
	int ret = -1;

	if (!peek(ps)) {
		perr(ps, "premature EOI", NULL, 0);
		return -1;
	}
	key = parse_value(ps);
	if (!key || key->type != JSON_STRING) {
		perr(ps, "key is not a string in object", NULL, 0);
		goto out;
	}
	t = pop(ps);
	if (!t) {
		perr(ps, "premature EOI", NULL, 0);
		goto out;
	}
	if (t->type != TOK_COLON) {
		perr(ps, "missing : in object pair", NULL, 0);
		goto out;
	}
	val = parse_value(ps);
	if (!val) {
		perr(ps, "Missing value in dict", NULL, 0);
		goto out;
	}
	if (json_object_get(obj, key->u.s)) {
		perr(ps, "duplicate key", NULL, 0);
		json_free(val);
		goto out;
	}
	if (json_object_set(obj, key->u.s, val))
		goto out;
	ret = 0;
out:
	json_free(key);
	return ret;
}

static struct json_value *parse_container(struct parser *ps, int is_obj)
{
	enum tok_type close = is_obj ? TOK_RCURLY : TOK_RSQUARE;
	struct json_value *c = is_obj ? json_new_object() : json_new_array();
	const struct tok *t;
	int first = 1;

	if (!c)
		return NULL;
	t = peek(ps);
	if (!t)
		goto eoi;
	if (t->type == close) {
		pop(ps);
		return c;
	}
	for (;;) {
		if (!first) {
			t = pop(ps);
			if (!t)
				goto eoi;
			if (t->type == close)
				return c;
			if (t->type != TOK_COMMA) {
				perr(ps, is_obj ? "expected separator in dict" :
				     "expected separator in list", NULL, 0);
				goto err;
			}
		}
		first = 0;
		if (is_obj) {
			if (parse_pair(ps, c))
				goto err;
		} else {
			if (!peek(ps))
				goto eoi;
			if (json_array_append(c, parse_value(ps)))
				goto err;
		}
	}
eoi:
	perr(ps, "premature EOI", NULL, 0);
err:
	json_free(c);
	return NULL;
}

static struct json_value *parse_value(struct parser *ps)
{
	const struct tok *t = pop(ps);

	if (!t) {
		perr(ps, "premature EOI", NULL, 0);
		return NULL;
	}
	switch (t->type) {
	case TOK_LCURLY:
		return parse_container(ps, 1);
	case TOK_LSQUARE:
		return parse_container(ps, 0);
	case TOK_STRING:
		return parse_string(ps, t);
	case TOK_INTEGER:
	case TOK_FLOAT:
		return parse_number(t);
	case TOK_KEYWORD:
		return parse_keyword(ps, t);
	default:
		perr(ps, "expecting value", NULL, 0);
		return NULL;
	}
}

/* ------------------------------------------------------------ streamer */

struct stream {
	struct tok *t;
	size_t n, cap;
	int braces, brackets;
	int messages;		/* messages emitted so far */
	struct json_value *result;
	struct strbuf *err;
	int failed;
};

/**
 * stream_emit() - hand one message's outcome to the "at most one" rule
 * @st:		streamer
 * @v:		parsed value, or NULL when @msg says why
 * @msg:	error text for this message (strbuf), or NULL on success
 */
static void stream_emit(struct stream *st, struct json_value *v,
			struct strbuf *msg)
{
	if (st->messages++ == 0) {
		st->result = v;
		if (!v) {
			st->failed = 1;
			strbuf_puts(st->err, strbuf_str(msg));
		}
		return;
	}
	json_free(v);
	if (!st->failed) {
		json_free(st->result);
		st->result = NULL;
		st->failed = 1;
		strbuf_puts(st->err, "Expecting at most one JSON value");
	}
}

static void stream_parse(struct stream *st)
{
	struct strbuf msg = STRBUF_INIT;
	struct parser ps = { st->t, st->n, 0, &msg, 0 };
	struct json_value *v = parse_value(&ps);

	if (ps.failed) {
		json_free(v);
		v = NULL;
	} else if (!v) {
		strbuf_puts(&msg, "out of memory");
	}
	stream_emit(st, v, &msg);
	strbuf_free(&msg);
	st->n = 0;
	st->braces = st->brackets = 0;
}

static int stream_push(struct stream *st, const struct tok *t)
{
	struct tok *nt;

	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 32;
		nt = realloc(st->t, st->cap * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		st->t = nt;
	}
	st->t[st->n++] = *t;
	return 0;
}

/**
 * stream_token() - feed one token to the streamer
 * @st:	streamer
 * @t:	token
 *
 * Return: 0 to continue, 1 when input ended, -ENOMEM
 */
static int stream_token(struct stream *st, const struct tok *t)
{
	struct strbuf msg = STRBUF_INIT;

	switch (t->type) {
	case TOK_LCURLY:
		st->braces++;
		break;
	case TOK_RCURLY:
		st->braces--;
		break;
	case TOK_LSQUARE:
		st->brackets++;
		break;
	case TOK_RSQUARE:
		st->brackets--;
		break;
	case TOK_ERROR:
		strbuf_printf(&msg, "JSON parse error, stray '%.*s'",
			      (int)t->len, t->s);
		stream_emit(st, NULL, &msg);
		strbuf_free(&msg);
		return 1;
	case TOK_EOI:
		if (st->n)
			stream_parse(st);
		return 1;
	default:
		break;
	}
	if (st->braces + st->brackets > JSON_MAX_NESTING) {
		strbuf_puts(&msg, "JSON nesting depth limit exceeded");
		stream_emit(st, NULL, &msg);
		strbuf_free(&msg);
		return 1;
	}
	if (stream_push(st, t))
		return -ENOMEM;
	if ((st->braces > 0 || st->brackets > 0) && st->braces >= 0 &&
	    st->brackets >= 0)
		return 0;
	stream_parse(st);
	return 0;
}

/**
 * json_parse() - parse exactly one JSON value
 * @text:	NUL-terminated input
 * @out:	the value on success (the caller frees it with json_free())
 * @err:	on failure, QEMU's error text is appended here
 *
 * Return: 0, -EINVAL on a syntax error, -ENOMEM
 */
int json_parse(const char *text, struct json_value **out, struct strbuf *err)
{
	struct stream st = { .err = err };
	const char *p = text;
	struct tok t;
	int ret;

	*out = NULL;
	do {
		lex_next(&p, &t);
		ret = stream_token(&st, &t);
	} while (ret == 0 && !(st.failed && st.messages > 1));
	free(st.t);
	if (ret < 0) {
		json_free(st.result);
		return ret;
	}
	if (st.failed)
		return -EINVAL;
	if (!st.result) {
		strbuf_puts(err, "Expecting a JSON value");
		return -EINVAL;
	}
	*out = st.result;
	return 0;
}

/**
 * json_type_name() - QAPI's name for a JSON type, as used in error texts
 * @t:	type
 *
 * Return: "null", "boolean", "integer", "number", "string", "array" or
 * "object"
 */
const char *json_type_name(enum json_type t)
{
	static const char *const names[JSON_TYPE_COUNT] = {
		[JSON_NULL] = "null",	   [JSON_BOOL] = "boolean",
		[JSON_INT] = "integer",	   [JSON_UINT] = "integer",
		[JSON_DOUBLE] = "number",  [JSON_STRING] = "string",
		[JSON_ARRAY] = "array",	   [JSON_OBJECT] = "object",
	};

	return t < JSON_TYPE_COUNT ? names[t] : "?";
}
