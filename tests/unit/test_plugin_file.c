/* test_plugin_file.c - the .so a plugin was loaded from, held open
 * (core/loader/plugin_file.h): a missing file is a refusal in the words of
 * the refusal line; a touch is not a change; a file replaced under the
 * same name leaves the held file usable; a file changed in place is not. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/plugin_file.h"
#include "tap.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	char dir[] = "/tmp/xd-test-plugin-file-XXXXXX", path[256], tmp[256];
	xd_plugin_file f;
	char *why = NULL;
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/x.so", dir);
	snprintf(tmp, sizeof tmp, "%s/.x.so.new", dir);

	ok(xd_plugin_file_open(&f, path, &why) == -1, "a missing file is refused");
	ok(why && strstr(why, "no such file ") && strstr(why, "(No such file or directory)"),
	   "in the refusal line's words: %s", why ? why : "(null)");
	free(why);
	xd_plugin_file_close(&f);

	write_file(path, "the checked build");
	ok(xd_plugin_file_open(&f, path, &why) == 0 && f.fd >= 0, "opened");
	ok(xd_plugin_file_check(&f, "x", &why) == 0 && !why, "unchanged: usable");

	struct timespec times[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	utimensat(AT_FDCWD, path, times, 0);
	ok(xd_plugin_file_check(&f, "x", &why) == 0 && !why, "touched: still usable");

	write_file(tmp, "another build, longer than the first");
	rename(tmp, path);
	ok(xd_plugin_file_check(&f, "x", &why) == 0 && !why, "replaced: the held file is usable");
	char buf[64] = "";
	ssize_t n = pread(f.fd, buf, sizeof buf - 1, 0);
	ok(n > 0 && strcmp(buf, "the checked build") == 0, "and still holds the checked build");
	ok(xd_plugin_file_check(&f, "x", &why) == 0, "reported once, still usable");
	unlink(path);
	ok(xd_plugin_file_check(&f, "x", &why) == 0, "removed: the held file is usable");
	xd_plugin_file_close(&f);

	write_file(path, "the checked build");
	ok(xd_plugin_file_open(&f, path, &why) == 0, "opened again");
	FILE *w = fopen(path, "a");
	fputs(" and more", w);
	fclose(w);
	ok(xd_plugin_file_check(&f, "x", &why) == -1 && why, "changed in place: not usable");
	ok(why && strstr(why, "was changed in place since it was loaded"), "says so: %s",
	   why ? why : "(null)");
	free(why);
	why = NULL;
	ok(xd_plugin_file_check(&f, "x", &why) == -1 && why, "and stays so");
	free(why);
	xd_plugin_file_close(&f);

	unlink(path);
	rmdir(dir);
	return tap_done();
}
