/*
 * test_tcp_pdrill.c - the script runner's verdicts: what packetdrill
 * treats as a mismatch is one here, with the line it happened on, and
 * what the runner cannot do is reported as unsupported, never skipped.
 * The scripts in scripts/runner_*.pkt pin what passes.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "models/tcp_bsd/tcp_pdrill.h"

/* A passive open up to accept(), fd 4. */
#define OPEN \
	"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n" \
	"+0 bind(3, ..., ...) = 0\n" \
	"+0 listen(3, 1) = 0\n" \
	"+0 < S 0:0(0) win 8192 <mss 1460>\n" \
	"+0 > S. 0:0(0) ack 1 <mss 1460>\n" \
	"+.01 < . 1:1(0) ack 1 win 8192\n" \
	"+0 accept(3, ..., ...) = 4\n"

/* Run a script; its error code (-1: it passed) and message. */
static int
run(const char *text, char **msg)
{
	GError *e = NULL;
	int code = -1;
	if (!tcp_pdrill_run(text, "t.pkt", NULL, &e)) {
		code = e->code;
		if (msg)
			*msg = g_strdup(e->message);
		g_error_free(e);
	} else if (msg) {
		*msg = g_strdup("");
	}
	return code;
}

static void
expect_fail(const char *text, int code, const char *where, const char *what)
{
	char *msg;
	ck_assert_int_eq(run(text, &msg), code);
	ck_assert_msg(strstr(msg, where) && strstr(msg, what), "%s", msg);
	g_free(msg);
}

START_TEST(test_open_passes)
{
	ck_assert_int_eq(run(OPEN, NULL), -1);
}
END_TEST

/* packetdrill: no option list on an expected segment = no options. */
START_TEST(test_options_sent_where_script_has_none)
{
	expect_fail("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		    "+0 bind(3, ..., ...) = 0\n"
		    "+0 listen(3, 1) = 0\n"
		    "+0 < S 0:0(0) win 8192 <mss 1460>\n"
		    "+0 > S. 0:0(0) ack 1\n",
		    TCP_PDRILL_ERROR_MISMATCH, "t.pkt:5:", "options");
}
END_TEST

/* An unexpected segment is seen when it is in the way of an expected
 * one: the delayed ACK at 0.2 s comes before the data. */
START_TEST(test_unexpected_segment_in_the_way)
{
	expect_fail(OPEN "+.01 < P. 1:101(100) ack 1 win 8192\n"
		    "+.3 write(4, ..., 10) = 10\n"
		    "+0 > P. 1:11(10) ack 101\n",
		    TCP_PDRILL_ERROR_MISMATCH, "t.pkt:10:", "time off");
}
END_TEST

/* A blocking socket: a call that blocks needs "t1...t2". */
START_TEST(test_blocking_call_without_range)
{
	expect_fail(OPEN "+0 read(4, ..., 10) = 10\n",
		    TCP_PDRILL_ERROR_MISMATCH, "t.pkt:8:", "blocked");
}
END_TEST

/* A blocked call that does not return by t2 (+ tolerance). */
START_TEST(test_blocking_call_returns_late)
{
	expect_fail(OPEN "+0...0.05 read(4, ..., 10) = 10\n"
		    "+.1 < P. 1:11(10) ack 1 win 8192\n",
		    TCP_PDRILL_ERROR_MISMATCH, "t.pkt:8:", "still blocked");
}
END_TEST

/* A blocking call that returns before t2 - tolerance. */
START_TEST(test_blocking_call_returns_early)
{
	expect_fail(OPEN "+0 < P. 1:11(10) ack 1 win 8192\n"
		    "+0...0.5 read(4, ..., 10) = 10\n",
		    TCP_PDRILL_ERROR_MISMATCH, "t.pkt:9:", "returned at");
}
END_TEST

/* The script ends while a call blocks: it must still return in time. */
START_TEST(test_blocking_call_pending_at_end)
{
	expect_fail(OPEN "+0...1 read(4, ..., 10) = 10\n",
		    TCP_PDRILL_ERROR_MISMATCH, "t.pkt:8:", "still blocked");
}
END_TEST

/* A segment outside its time range. */
START_TEST(test_outbound_outside_range)
{
	expect_fail(OPEN "+.01 < P. 1:101(100) ack 1 win 8192\n"
		    "+.25~+.3 > . 1:1(0) ack 101\n",
		    TCP_PDRILL_ERROR_MISMATCH, "t.pkt:9:", "time off");
}
END_TEST

/* Ranges and '*' only for outbound packets (packetdrill's rule). */
START_TEST(test_range_on_inbound_is_a_syntax_error)
{
	expect_fail("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		    "+0~+1 < S 0:0(0) win 8192\n",
		    TCP_PDRILL_ERROR_SYNTAX, "t.pkt:2:", "outbound");
}
END_TEST

/* MSG_PEEK is supported; MSG_OOB is not, and says so with file:line. */
START_TEST(test_unsupported_recv_flag)
{
	expect_fail(OPEN "+0 recv(4, ..., 10, MSG_OOB) = -1 EINVAL\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:8:", "flags");
}
END_TEST

START_TEST(test_unsupported_icmp_and_options)
{
	expect_fail(OPEN "+0 < icmp echo_reply\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:8:", "");
	expect_fail("--ip_version=ipv6\n"
		    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:1:", "ip_version");
	expect_fail("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		    "--mtu=9000\n",
		    TCP_PDRILL_ERROR_SYNTAX, "t.pkt:2:", "options come before");
	expect_fail(OPEN "+0 < (tos 0x10, flowlabel 0x1) P. 1:11(10) ack 1 win 8192\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:8:", "");
	expect_fail(OPEN "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, [1], 4) = 0\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:8:", "SO_LINGER");
	expect_fail(OPEN "+0 setsockopt(4, IPPROTO_IP, IP_OPTIONS, [16], 4) = 0\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:8:", "IP_OPTIONS");
	expect_fail(OPEN "+0 < [ect0] P. 1:11(10) ack 1 win 8192\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:8:", "ect0");
	expect_fail(OPEN "+0 fcntl(4, F_GETFD) = 0\n",
		    TCP_PDRILL_ERROR_UNSUPPORTED, "t.pkt:8:", "F_GETFD");
}
END_TEST

static Suite *
pdrill_suite(void)
{
	Suite *s = suite_create("tcp_pdrill");
	TCase *tc = tcase_create("runner");
	tcase_add_test(tc, test_open_passes);
	tcase_add_test(tc, test_options_sent_where_script_has_none);
	tcase_add_test(tc, test_unexpected_segment_in_the_way);
	tcase_add_test(tc, test_blocking_call_without_range);
	tcase_add_test(tc, test_blocking_call_returns_late);
	tcase_add_test(tc, test_blocking_call_returns_early);
	tcase_add_test(tc, test_blocking_call_pending_at_end);
	tcase_add_test(tc, test_outbound_outside_range);
	tcase_add_test(tc, test_range_on_inbound_is_a_syntax_error);
	tcase_add_test(tc, test_unsupported_recv_flag);
	tcase_add_test(tc, test_unsupported_icmp_and_options);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pdrill_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
