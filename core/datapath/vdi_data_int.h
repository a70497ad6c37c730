/* vdi_data_int.h - the backends behind vdi_data.h: each fills the ops of
 * an xd_vdi_data it opened. */
#ifndef XD_VDI_DATA_INT_H
#define XD_VDI_DATA_INT_H

#include "vdi_data.h"

typedef struct xd_vdi_data_ops {
	int (*read)(xd_vdi_data *d, void *buf, size_t len, int64_t off, xd_error *err);
	int (*write)(xd_vdi_data *d, const void *buf, size_t len, int64_t off, xd_error *err);
	int (*zero)(xd_vdi_data *d, size_t len, int64_t off, xd_error *err);
	int (*flush)(xd_vdi_data *d, xd_error *err);
	int64_t (*extent)(xd_vdi_data *d, int64_t off, int64_t len, bool *hole, xd_error *err);
	void (*close)(xd_vdi_data *d);
} xd_vdi_data_ops;

struct xd_vdi_data {
	const xd_vdi_data_ops *ops;
	int64_t size;
	bool writable;
	int fd;                  /* file backend */
	struct nbd_handle *nbd;  /* nbd backend */
	bool nbd_zero, nbd_flush, nbd_status;
	bool maps_holes;         /* extent tells holes (xd_vdi_data_maps_holes) */
	char *uri;               /* for messages */
};

/* nbd+unix:// URIs (vdi_data_nbd.c). d->uri and d->writable are set. */
int xd_vdi_data_open_nbd(xd_vdi_data *d, xd_error *err);

#endif
