/* Names are data: the CSV formula guard is exact both ways, Markdown and
 * HTML escaping leave nothing a renderer would act on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/escape.h"

static void csv_guard_follows_owasp(void **state)
{
	(void)state;
	static const char *const guarded[] = {
		"=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1", "-1+2", "=1",
		"\t=1", "\r=1", "'=x", "''", "'-",
	};
	static const char *const plain[] = {"l4", "a,b", "say \"hi\"", "'", "'a", " =x", "", "1e3",
					    "x=1", "é=1"};
	for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++)
		assert_int_equal(escape_csv_guard(guarded[i]), 1);
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		assert_int_equal(escape_csv_guard(plain[i]), 0);
}

/* What is written ("'" + s when guarded) reads back as s, for every
 * string over an alphabet of the characters that matter. */
static void csv_guard_round_trips(void **state)
{
	(void)state;
	static const char alphabet[] = "'=+-@\t\rax";
	char s[4], written[8];
	size_t k = sizeof alphabet - 1;
	for (size_t len = 0; len <= 3; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= k;
		for (size_t code = 0; code < total; code++) {
			size_t c = code;
			for (size_t i = 0; i < len; i++, c /= k)
				s[i] = alphabet[c % k];
			s[len] = '\0';
			snprintf(written, sizeof written, "%s%s", escape_csv_guard(s) ? "'" : "", s);
			size_t skip = escape_csv_unguard(written, strlen(written));
			assert_string_equal(written + skip, s);
			/* Nothing that reads back starts a formula unguarded. */
			assert_false(strchr("=+-@\t\r", written[0]) && written[0]);
		}
	}
}

static void md(const char *in, const char *want)
{
	char buf[256];
	size_t n = escape_md_buf(buf, sizeof buf, in);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void markdown_shows_names_as_typed(void **state)
{
	(void)state;
	md("l4-multi", "l4-multi");
	md("a|b", "a\\|b");
	md("![x](http://e.example/t.png)", "\\!\\[x\\](http://e.example/t.png)");
	md("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	md("*b* _i_ `c` ~s~ \\", "\\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\\\");
	md("# h", "\\# h");
	md("- item", "\\- item");
	md("a\nb\tc", "a b c");
	md("&amp;", "&amp;amp;");
}

static void html(const char *in, const char *want)
{
	char buf[256];
	size_t n = escape_html_buf(buf, sizeof buf, in);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void html_leaves_no_markup(void **state)
{
	(void)state;
	html("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	html("a\"b&c", "a&quot;b&amp;c");
	html("caf\xc3\xa9 \xe2\x80\xa8", "caf\xc3\xa9 \xe2\x80\xa8");
	/* Not UTF-8 (a lone continuation, an overlong '/', a surrogate), and
	 * control characters XML forbids: U+FFFD each. */
	html("a\x80z", "a\xef\xbf\xbdz");
	html("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	html("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	html("a\x01" "b\x7f", "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	html("tab\tnl\n", "tab\tnl\n");
}

/* The buffer form says how long the whole result is and stays
 * terminated when it does not fit, like snprintf. */
static void buffers_truncate_like_snprintf(void **state)
{
	(void)state;
	char buf[5];
	assert_int_equal(escape_html_buf(buf, sizeof buf, "<<<"), 12);
	assert_string_equal(buf, "&lt;");
	assert_int_equal(escape_md_buf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(escape_md_buf(NULL, 0, "a|b"), 4);
}

static void file_forms_write_the_same(void **state)
{
	(void)state;
	char *mem = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&mem, &len);
	assert_non_null(fp);
	assert_int_equal(escape_html(fp, "<a href='x'>"), 0);
	assert_int_equal(escape_md(fp, "|"), 0);
	fclose(fp);
	assert_string_equal(mem, "&lt;a href=&#39;x&#39;&gt;\\|");
	free(mem);
}

/* JSON strings: quotes and backslashes escaped, control characters as
 * \u00XX (RFC 8259 section 7), UTF-8 kept, bytes that are not UTF-8 as
 * U+FFFD; the FILE form writes what the buffer form does. */
static void json_strings(void **state)
{
	(void)state;
	char buf[128];
	escape_json_buf(buf, sizeof buf, "say \"hi\" \\ now");
	assert_string_equal(buf, "say \\\"hi\\\" \\\\ now");
	escape_json_buf(buf, sizeof buf, "a\nb\tc\x01");
	assert_string_equal(buf, "a\\u000ab\\u0009c\\u0001");
	escape_json_buf(buf, sizeof buf, "caf\xc3\xa9 \xff");
	assert_string_equal(buf, "caf\xc3\xa9 \xef\xbf\xbd");
	assert_int_equal(escape_json_buf(NULL, 0, "\""), 2);
	char *mem = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&mem, &len);
	assert_non_null(fp);
	assert_int_equal(escape_json(fp, "</script>\"x"), 0);
	fclose(fp);
	assert_string_equal(mem, "</script>\\\"x");
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_guard_follows_owasp),
		cmocka_unit_test(csv_guard_round_trips),
		cmocka_unit_test(markdown_shows_names_as_typed),
		cmocka_unit_test(html_leaves_no_markup),
		cmocka_unit_test(buffers_truncate_like_snprintf),
		cmocka_unit_test(file_forms_write_the_same),
		cmocka_unit_test(json_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
