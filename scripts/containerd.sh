#!/usr/bin/env bash
# A private containerd for the cri runtime's tests, with images built offline from busybox-static.
#
#   scripts/containerd.sh install        installs containerd, runc, busybox-static and umoci from
#                                        Debian when any is missing (apt-get update only if needed)
#   scripts/containerd.sh image          builds the OCI archive of the test images (cached)
#   scripts/containerd.sh start DIR      install + image, then starts containerd with its root,
#                                        state, config and socket under DIR and imports the images;
#                                        prints the socket path once it answers
#   scripts/containerd.sh stop DIR       kills what that containerd runs (tasks, shims), stops it,
#                                        unmounts what is left under DIR and removes DIR
#
# The images (no internet here, so nothing is pulled):
#   docker.io/library/busybox:latest  busybox with its applets in /bin, command `sh`
#   docker.io/library/busybox:pause   the same files, entrypoint `sleep infinity`: the sandbox
#                                     ("pause") image of the private containerd
# Sandboxes share the node's network (NamespaceMode NODE), so no CNI plugin or config is needed.
set -euo pipefail

PACKAGES=(containerd runc busybox-static umoci)
BUSYBOX_IMAGE=docker.io/library/busybox:latest
PAUSE_IMAGE=docker.io/library/busybox:pause
CACHE_DIR=${STRATA_CONTAINERD_CACHE:-/var/cache/strata/containerd}
ARCHIVE=$CACHE_DIR/busybox-oci-v2.tar

die() { echo "containerd.sh: $*" >&2; exit 1; }

cmd_install() {
  local missing=()
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  # The static build: the image has no libc to give a dynamic one.
  [ -x /bin/busybox ] && grep -q 'not a dynamic' <<<"$(ldd /bin/busybox 2>&1)" || missing+=(busybox-static)
  command -v umoci >/dev/null || missing+=(umoci)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "needs root to install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Only refresh the package lists when apt does not know the packages yet (a fresh machine).
  if ! apt-get install -y --no-install-recommends "${PACKAGES[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
  fi
}

# Builds both images into one OCI layout (two tags sharing one layer) and tars it for `ctr import`.
cmd_image() {
  [ -s "$ARCHIVE" ] && return 0
  mkdir -p "$CACHE_DIR"
  local work
  work=$(mktemp -d)
  umoci init --layout "$work/layout"
  umoci new --image "$work/layout:latest"
  umoci unpack --image "$work/layout:latest" "$work/bundle" >/dev/null
  local rootfs=$work/bundle/rootfs
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  # Every applet as a symlink in /bin, as the official busybox image has them.
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  # Mount points the runtime binds files onto: a read-only rootfs (the sandbox's) cannot grow them.
  touch "$rootfs/etc/resolv.conf" "$rootfs/etc/hosts" "$rootfs/etc/hostname"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
  umoci repack --image "$work/layout:latest" "$work/bundle" >/dev/null
  umoci config --image "$work/layout:latest" --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.cmd sh --config.workingdir /
  umoci config --image "$work/layout:latest" --tag pause --config.entrypoint sleep --config.entrypoint infinity --clear config.cmd
  umoci gc --layout "$work/layout"
  tar -C "$work/layout" -cf "$ARCHIVE.$$.tmp" .
  mv "$ARCHIVE.$$.tmp" "$ARCHIVE"  # atomic: two starts at once may both build
  rm -rf "$work"
}

write_config() {
  local dir=$1
  cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
# Plugins this machine cannot load anyway: skipping them keeps the log quiet and start-up quick.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$dir/containerd.sock"

[ttrpc]
  address = "$dir/containerd.sock.ttrpc"

[debug]
  level = "warn"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Port 0: any free port, so several private containerds (and a system one) can run side by side.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  # The sandbox asks for oom_score_adj -998; without CAP_SYS_RESOURCE (a machine that is itself a
  # container) lowering it fails, so clamp to containerd's own score as rootless setups do.
  restrict_oom_score_adj = true
  enable_selinux = false

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false

  # Host-network sandboxes never call CNI; these dirs only keep containerd from looking in /etc.
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$dir/cni/bin"
    conf_dir = "$dir/cni/net.d"
EOF
}

ctr_() { ctr --address "$DIR/containerd.sock" --namespace k8s.io "$@"; }

cmd_start() {
  DIR=$(realpath -m "$1")
  [ "$(id -u)" -eq 0 ] || die "containerd needs root"
  cmd_install
  cmd_image
  mkdir -p "$DIR/root" "$DIR/state" "$DIR/opt" "$DIR/cni/bin" "$DIR/cni/net.d"
  write_config "$DIR"
  containerd --config "$DIR/config.toml" >"$DIR/containerd.log" 2>&1 </dev/null &
  echo $! >"$DIR/containerd.pid"
  for _ in $(seq 1 150); do
    if ctr_ version >/dev/null 2>&1; then
      ctr_ images import --base-name docker.io/library/busybox "$ARCHIVE" >/dev/null
      # Not a pipe into grep -q: under pipefail its early exit would fail ctr with SIGPIPE.
      local images
      images=$(ctr_ images ls -q)
      grep -qx "$BUSYBOX_IMAGE" <<<"$images" || die "the busybox image did not import"
      echo "$DIR/containerd.sock"
      return 0
    fi
    kill -0 "$(cat "$DIR/containerd.pid")" 2>/dev/null || { tail -20 "$DIR/containerd.log" >&2; die "containerd exited"; }
    sleep 0.1
  done
  die "containerd did not answer on $DIR/containerd.sock within 15 s"
}

cmd_stop() {
  DIR=$(realpath -m "$1")
  [ -d "$DIR" ] || return 0
  local pid=""
  [ -s "$DIR/containerd.pid" ] && pid=$(cat "$DIR/containerd.pid")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # Containers first: their shims outlive containerd otherwise.
    for task in $(ctr_ tasks ls -q 2>/dev/null); do
      ctr_ tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    for task in $(ctr_ tasks ls -q 2>/dev/null); do
      for _ in $(seq 1 20); do ctr_ tasks rm -f "$task" >/dev/null 2>&1 && break; sleep 0.1; done
    done
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # Shims that are still there were started by this containerd: they name its socket. Only
  # shims: other processes (a strata agent's --container-runtime-endpoint) may name it too.
  for p in $(grep -l -F -- "$DIR/containerd.sock" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
    case "$(readlink "/proc/$p/exe" 2>/dev/null)" in
      */containerd-shim*) kill -9 "$p" 2>/dev/null || true ;;
    esac
  done
  # Deepest mounts first (rootfs overlays, sandbox shm).
  awk -v d="$DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$DIR"
  # containerd's default cgroup parent (cgroupfs): left empty once its containers are gone.
  rmdir /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/k8s.io 2>/dev/null || true
}

case "${1:-}" in
  install) cmd_install ;;
  image) cmd_install; cmd_image; echo "$ARCHIVE" ;;
  start) [ $# -eq 2 ] || die "usage: $0 start DIR"; cmd_start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; cmd_stop "$2" ;;
  *) die "usage: $0 install | image | start DIR | stop DIR" ;;
esac
