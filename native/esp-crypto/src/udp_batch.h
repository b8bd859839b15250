/* Batched UDP receive (udp_batch.c), exported by the addon next to the ESP functions. */
#ifndef WAKELAB_UDP_BATCH_H
#define WAKELAB_UDP_BATCH_H
#include <node_api.h>

napi_value udp_recv_open(napi_env env, napi_callback_info info);
napi_value udp_recv_close(napi_env env, napi_callback_info info);

#endif
