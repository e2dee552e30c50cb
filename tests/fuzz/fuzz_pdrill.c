/*
 * fuzz_pdrill.c - the packetdrill-script parser and runner.
 *
 * The input is a script.  It runs against the 4.4BSD personality (or, by
 * the first byte's low bits when it is not printable, another one); a
 * syntax error, an unsupported construct or a mismatch are all fine
 * outcomes, with a message; crashes, assertions, leaks and hangs are not.
 */
#include <string.h>

#include "tcp_pdrill.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *pers[4] = { "4.4bsd", "sunos", "linux2.0",
				       "linux2.2" };
	struct tcp_pdrill_opts o = { 0 };
	o.rfc1323 = -1;
	if (size > 0 && data[0] < 4) {
		o.personality = tcp_personality_find(pers[data[0]]);
		data++;
		size--;
	}
	char *text = g_strndup((const char *)data, size);
	GError *e = NULL;
	if (!tcp_pdrill_run(text, "fuzz.pkt", &o, &e)) {
		g_assert(e && e->message && *e->message);
		g_error_free(e);
	} else {
		g_assert_no_error(e);
	}
	g_free(text);
	return 0;
}
