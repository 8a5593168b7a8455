# Runs a command on a new pseudo-terminal for the process runtime (Node has no pty API): `kubectl
# exec -t`, and containers with `tty: true`.
#   python3 pty-helper.py [--resize FIFO] [--keep-stdin-open] COLS ROWS CMD [ARGS...]
# It copies its stdin to the terminal and the terminal's output to its stdout, reads "COLS ROWS"
# lines (on fd 3, or from FIFO) to resize the terminal (the kernel then sends SIGWINCH to the
# command), passes SIGTERM on, and exits with the command's status (128 + signal). When its stdin
# ends it types ^D, unless --keep-stdin-open (a container's terminal outlives its attaches).
import errno, fcntl, os, pty, select, signal, struct, sys, termios


def set_size(fd, cols, rows):
    if cols > 0 and rows > 0:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    ctl_fd, keep_open = 3, False
    while args and args[0].startswith('--'):
        if args[0] == '--resize':
            # O_RDWR: opening does not wait for a writer, and reading never sees EOF between writers.
            ctl_fd = os.open(args[1], os.O_RDWR)
            args = args[2:]
        elif args[0] == '--keep-stdin-open':
            keep_open = True
            args = args[1:]
        else:
            break
    cols, rows, argv = int(args[0]), int(args[1]), args[2:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.close(ctl_fd)
        except OSError:
            pass
        # The size is set on the terminal before the command runs, so its first look sees it.
        set_size(0, cols, rows)
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(2, ('exec %s: %s\r\n' % (argv[0], e.strerror)).encode())
            os._exit(127)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # The command leads its own session, outside the caller's process group: pass a stop request on.
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
    # Resize requests first: select lists ready fds in this order, and a size sent before a line of
    # input (an attach's first resize, then the typed line) must reach the terminal before the line.
    inputs = [ctl_fd, 0, master]
    ctl = b''
    while master in inputs:
        try:
            readable, _, _ = select.select(inputs, [], [])
        except InterruptedError:
            continue
        for fd in readable:
            try:
                data = os.read(fd, 65536)
            except OSError as e:
                if e.errno != errno.EIO:  # EIO on the master: the terminal's last process closed it
                    raise
                data = b''
            if fd == master:
                if not data:
                    inputs.remove(master)
                else:
                    os.write(1, data)
            elif fd == 0:
                if not data:
                    inputs.remove(0)
                    if not keep_open:
                        os.write(master, b'\x04')  # EOF for a terminal in canonical mode
                else:
                    os.write(master, data)
            else:
                if not data:
                    inputs.remove(ctl_fd)
                    continue
                ctl += data
                while b'\n' in ctl:
                    line, ctl = ctl.split(b'\n', 1)
                    parts = line.split()
                    if len(parts) == 2:
                        set_size(master, int(parts[0]), int(parts[1]))
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(128 - code if code < 0 else code)


main()
