/*
 * outfile.c - atomic result files (write to a temporary name, then rename).
 */
#include "outfile.h"

#include "simtime.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

gboolean
sim_mkdir_p(const char *dir, GError **error)
{
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "cannot create folder %s: %s", dir,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

sim_outfile *
sim_outfile_open(const char *path, GError **error)
{
	sim_outfile *f = g_new0(sim_outfile, 1);
	f->path = g_strdup(path);
	f->tmp_path = g_strdup_printf("%s.tmp-%d", path, (int)getpid());
	f->fp = fopen(f->tmp_path, "wb");
	if (!f->fp) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "cannot write %s: %s", path, g_strerror(errno));
		g_free(f->path);
		g_free(f->tmp_path);
		g_free(f);
		return NULL;
	}
	/* Results (pcap, time series) stream out for the whole run: write
	 * in 256 KB blocks rather than stdio's 4 KB. */
	setvbuf(f->fp, NULL, _IOFBF, 256 * 1024);
	return f;
}

gboolean
sim_outfile_commit(sim_outfile *f, GError **error)
{
	gboolean ok = TRUE;
	if (ferror(f->fp) || fclose(f->fp) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "error writing %s: %s", f->path,
			    g_strerror(errno));
		g_unlink(f->tmp_path);
		ok = FALSE;
	} else if (g_rename(f->tmp_path, f->path) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "cannot rename %s into place: %s", f->path,
			    g_strerror(errno));
		g_unlink(f->tmp_path);
		ok = FALSE;
	}
	g_free(f->path);
	g_free(f->tmp_path);
	g_free(f);
	return ok;
}

void
sim_outfile_abort(sim_outfile *f)
{
	if (!f)
		return;
	fclose(f->fp);
	g_unlink(f->tmp_path);
	g_free(f->path);
	g_free(f->tmp_path);
	g_free(f);
}

gboolean
sim_write_file_atomic(const char *path, const char *contents, gssize len,
		      GError **error)
{
	sim_outfile *f = sim_outfile_open(path, error);
	if (!f)
		return FALSE;
	if (len < 0)
		len = (gssize)strlen(contents);
	fwrite(contents, 1, (size_t)len, f->fp);
	return sim_outfile_commit(f, error);
}
