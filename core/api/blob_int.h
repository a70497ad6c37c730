/* blob_int.h - what blob.c (the blob records) and blob_http.c (their bytes
 * over /blob) share: where a blob's bytes live, and the lock that keeps a
 * PUT's replacement of them and blob.destroy's removal in one order.
 * Private to api/.
 *
 * Owns: nothing; the path is the caller's to free.
 */
#ifndef XD_BLOB_INT_H
#define XD_BLOB_INT_H

#include "error.h"

/* <state_dir>/blobs: the bytes of every blob, one file named by the blob's
 * uuid, as xapi's /var/lib/xcp/blobs/<uuid>. */
#define XD_BLOB_DIR "blobs"

/* "<state_dir>/blobs/<uuid>", heap. */
char *xd_blob_file(const char *uuid);
/* blob.destroy: the blob out of every owner's `blobs` map, its bytes and
 * its record (also for VM.destroy, which destroys the VM's blobs as xapi's).
 * HANDLE_INVALID [blob, ref] if it is not one. */
int xd_blob_destroy(const char *ref, xd_error *err);
/* Held across "the record still exists, then its file is replaced" (PUT)
 * and "its file is removed, then its record" (blob.destroy). */
void xd_blob_lock(void);
void xd_blob_unlock(void);

#endif
