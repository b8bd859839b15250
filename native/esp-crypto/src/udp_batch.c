/*
 * Batched UDP receive for the responder's sockets (N-API, C, Linux).
 *
 * node:dgram reads one datagram per recvmsg(2), allocates a Buffer and an address object for it
 * and calls into JavaScript once per datagram (a MakeCallback, with its microtask checkpoint).
 * Under an ESP flood that per-datagram path was most of the responder's CPU (BENCHMARKS.md, "ESP
 * through the testbed", profile). Here one libuv poll handle watches a duplicate of the socket's
 * descriptor; when it is readable, recvmmsg(2) reads up to `slots` datagrams at once into a buffer
 * the caller gave, their lengths and IPv4 source addresses into a metadata array, and JavaScript
 * is called once per batch with the count.
 *
 * - The caller keeps the socket (Node binds it, sends on it, closes it) and stops Node's own
 *   reading; the duplicate descriptor is a second reference to the same socket, so epoll keeps a
 *   separate registration for it and libuv's own watcher of the original is not disturbed.
 * - Metadata per slot, four int32: length, IPv4 source address (host byte order, as an int32),
 *   source port, flags (1: truncated, the datagram was longer than a slot; 2: not IPv4).
 * - One readable event reads at most ROUNDS batches, then returns to the event loop (epoll is
 *   level-triggered: it comes back while datagrams wait), so timers and sends still run in a flood.
 * - A throw in the callback becomes the process's uncaught exception, as from any event.
 * - The duplicate is close-on-exec (a child process must not keep the port), leaves epoll before
 *   it is closed, and is closed when the receiver is, not later; an error queued on the socket
 *   (POLLERR) is read off and the watching goes on; an environment torn down with a receiver
 *   open (a Worker ending) closes it first (an async cleanup hook), so libuv never calls into an
 *   unloaded addon.
 */
#if defined(__linux__)
#define _GNU_SOURCE /* recvmmsg(2) */
#endif
#include "udp_batch.h"

#if defined(__linux__)
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define MAX_SLOTS 256
#define META_INTS 4
#define ROUNDS 16
#define FLAG_TRUNCATED 1
#define FLAG_NOT_IPV4 2

static const napi_type_tag RECEIVER_TAG = {0x7761b3e1c0de4e53ULL, 0x5ec7b1a0dd6f3c21ULL};

typedef struct {
  uv_poll_t poll; /* first: the close callback gets the receiver back from it */
  napi_env env;
  napi_ref callback;
  napi_ref data_ref;
  napi_ref meta_ref;
  napi_async_context async;
  /* Registered while libuv may still call us: an environment torn down (a Worker ending) closes
   * the receiver first, and waits for on_closed, so no callback runs after the addon is gone. */
  napi_async_cleanup_hook_handle cleanup;
  int fd;
  unsigned slots;
  size_t slot_bytes;
  unsigned char *data;
  int32_t *meta;
  bool closed;          /* no longer watching: receiver_close ran */
  bool handle_gone;     /* the JavaScript handle was collected */
  bool uv_closed;       /* libuv is done with `poll` */
  struct mmsghdr msgs[MAX_SLOTS];
  struct iovec iov[MAX_SLOTS];
  struct sockaddr_in from[MAX_SLOTS];
} receiver;

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_WAKELAB_UDP_BATCH", message);
  return NULL;
}

/* The memory goes when both libuv and the JavaScript handle are done with it. */
static void on_closed(uv_handle_t *handle) {
  receiver *r = (receiver *)handle;
  r->uv_closed = true;
  if (r->cleanup != NULL) {
    napi_remove_async_cleanup_hook(r->cleanup);
    r->cleanup = NULL;
  }
  if (r->handle_gone) free(r);
}

/* Stops watching and lets go of the JavaScript values. */
static void receiver_close(receiver *r) {
  if (r->closed) return;
  r->closed = true;
  uv_poll_stop(&r->poll);
  napi_delete_reference(r->env, r->callback);
  napi_delete_reference(r->env, r->data_ref);
  napi_delete_reference(r->env, r->meta_ref);
  napi_async_destroy(r->env, r->async);
  uv_close((uv_handle_t *)&r->poll, on_closed);
  if (r->fd >= 0) {
    /* The duplicate is closed now, not in on_closed: libuv runs close callbacks after newer ones,
     * and the socket's port must be free once Node reports the socket closed. First out of epoll
     * for certain: libuv may only queue its removal (io_uring), and a registration outliving the
     * descriptor number would keep reporting the still-open socket. */
    struct epoll_event none;
    uv_loop_t *loop = r->poll.loop;
    memset(&none, 0, sizeof none);
    epoll_ctl(uv_backend_fd(loop), EPOLL_CTL_DEL, r->fd, &none);
    close(r->fd);
    r->fd = -1;
  }
}

static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  (void)handle;
  receiver_close((receiver *)arg); /* on_closed removes the hook: the teardown waits until then */
}

static void call_js(receiver *r, int count) {
  napi_env env = r->env;
  napi_handle_scope scope;
  napi_value fn, recv, arg, result;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, r->callback, &fn) == napi_ok && fn != NULL && napi_get_global(env, &recv) == napi_ok &&
      napi_create_int32(env, count, &arg) == napi_ok) {
    if (napi_make_callback(env, r->async, recv, fn, 1, &arg, &result) == napi_pending_exception) {
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  receiver *r = (receiver *)handle;
  (void)events;
  if (status < 0) {
    /* An error queued on the socket (POLLERR; libuv has stopped the handle): read it off, as
     * node:dgram would, and watch again. Reading goes on below. */
    int error = 0;
    socklen_t length = sizeof error;
    if (r->closed) return;
    getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (uv_poll_start(&r->poll, UV_READABLE, on_readable) != 0) return;
  }
  for (int round = 0; round < ROUNDS && !r->closed; round++) {
    for (unsigned i = 0; i < r->slots; i++) {
      r->msgs[i].msg_hdr.msg_namelen = sizeof r->from[i];
      r->msgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(r->fd, r->msgs, r->slots, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      continue; /* EINTR, or an ICMP error queued on the socket (ECONNREFUSED): read on */
    }
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      struct msghdr *m = &r->msgs[i].msg_hdr;
      int32_t *meta = r->meta + (size_t)i * META_INTS;
      int flags = 0;
      unsigned length = r->msgs[i].msg_len;
      if ((m->msg_flags & MSG_TRUNC) != 0 || length > r->slot_bytes) {
        flags |= FLAG_TRUNCATED;
        if (length > r->slot_bytes) length = (unsigned)r->slot_bytes;
      }
      if (m->msg_namelen < sizeof(struct sockaddr_in) || r->from[i].sin_family != AF_INET) flags |= FLAG_NOT_IPV4;
      meta[0] = (int32_t)length;
      meta[1] = (int32_t)ntohl(r->from[i].sin_addr.s_addr);
      meta[2] = ntohs(r->from[i].sin_port);
      meta[3] = flags;
    }
    call_js(r, n);
    if ((unsigned)n < r->slots) return;
  }
}

static int typed_array(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &buffer, &offset) != napi_ok) return 0;
  return type == want;
}

static void receiver_finalize(napi_env env, void *data, void *hint) {
  receiver *r = (receiver *)data;
  (void)env;
  (void)hint;
  r->handle_gone = true;
  if (!r->closed) receiver_close(r);
  else if (r->uv_closed) free(r);
}

/* udpRecvOpen(fd, data: Uint8Array, meta: Int32Array, slots, onBatch(count)) */
napi_value udp_recv_open(napi_env env, napi_callback_info info) {
  napi_value argv[5], external, name;
  size_t argc = 5;
  int32_t fd, slots;
  void *data, *meta;
  size_t data_length, meta_length;
  napi_valuetype type;
  uv_loop_t *loop;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) return fail(env, "udpRecvOpen expects 5 arguments");
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return fail(env, "udpRecvOpen: a file descriptor expected");
  if (!typed_array(env, argv[1], napi_uint8_array, &data, &data_length)) return fail(env, "udpRecvOpen: data must be a Uint8Array");
  if (!typed_array(env, argv[2], napi_int32_array, &meta, &meta_length)) return fail(env, "udpRecvOpen: meta must be an Int32Array");
  if (napi_get_value_int32(env, argv[3], &slots) != napi_ok || slots < 1 || slots > MAX_SLOTS) return fail(env, "udpRecvOpen: slots must be 1 to 256");
  if (napi_typeof(env, argv[4], &type) != napi_ok || type != napi_function) return fail(env, "udpRecvOpen: onBatch must be a function");
  if (meta_length < (size_t)slots * META_INTS || data_length < (size_t)slots) return fail(env, "udpRecvOpen: data or meta too short for the slots");
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return fail(env, "udpRecvOpen: no event loop");

  receiver *r = (receiver *)calloc(1, sizeof *r);
  if (r == NULL) return fail(env, "udpRecvOpen: out of memory");
  r->env = env;
  r->slots = (unsigned)slots;
  r->slot_bytes = data_length / (size_t)slots;
  r->data = (unsigned char *)data;
  r->meta = (int32_t *)meta;
  r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0); /* a child process must not keep the socket (and its port) */
  if (r->fd < 0) {
    free(r);
    return fail(env, "udpRecvOpen: cannot duplicate the descriptor");
  }
  for (unsigned i = 0; i < r->slots; i++) {
    r->iov[i].iov_base = r->data + (size_t)i * r->slot_bytes;
    r->iov[i].iov_len = r->slot_bytes;
    r->msgs[i].msg_hdr.msg_iov = &r->iov[i];
    r->msgs[i].msg_hdr.msg_iovlen = 1;
    r->msgs[i].msg_hdr.msg_name = &r->from[i];
  }
  r->handle_gone = true; /* until the handle exists: a failure below frees in on_closed */
  if (uv_poll_init(loop, &r->poll, r->fd) != 0) {
    close(r->fd);
    free(r);
    return fail(env, "udpRecvOpen: cannot watch the descriptor");
  }
  /* From here on the memory is freed by uv_close (receiver_close), never directly. */
  napi_create_string_utf8(env, "WakeLabUdpBatch", NAPI_AUTO_LENGTH, &name);
  if (napi_async_init(env, NULL, name, &r->async) != napi_ok || napi_create_reference(env, argv[4], 1, &r->callback) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &r->data_ref) != napi_ok || napi_create_reference(env, argv[2], 1, &r->meta_ref) != napi_ok ||
      napi_add_async_cleanup_hook(env, on_env_cleanup, r, &r->cleanup) != napi_ok || uv_poll_start(&r->poll, UV_READABLE, on_readable) != 0) {
    receiver_close(r);
    return fail(env, "udpRecvOpen: cannot start watching the descriptor");
  }
  if (napi_create_external(env, r, receiver_finalize, NULL, &external) != napi_ok) {
    receiver_close(r);
    return fail(env, "udpRecvOpen: cannot create the handle");
  }
  r->handle_gone = false;
  napi_type_tag_object(env, external, &RECEIVER_TAG);
  return external;
}

/* udpRecvClose(handle): stops reading; idempotent. */
napi_value udp_recv_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  bool tagged = false;
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1) return fail(env, "udpRecvClose expects a handle");
  if (napi_check_object_type_tag(env, argv[0], &RECEIVER_TAG, &tagged) != napi_ok || !tagged || napi_get_value_external(env, argv[0], &data) != napi_ok)
    return fail(env, "udpRecvClose expects a handle from udpRecvOpen");
  receiver_close((receiver *)data);
  return NULL;
}

#else /* recvmmsg(2) is Linux's: elsewhere the callers keep node:dgram's own reading */

static napi_value unsupported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_throw_error(env, "ERR_WAKELAB_UDP_BATCH", "batched UDP receive needs Linux (recvmmsg)");
  return NULL;
}
napi_value udp_recv_open(napi_env env, napi_callback_info info) { return unsupported(env, info); }
napi_value udp_recv_close(napi_env env, napi_callback_info info) { return unsupported(env, info); }

#endif
