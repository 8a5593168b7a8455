# Runs a command on a new pseudo-terminal for the process runtime's `kubectl exec -t` (Node has no
# pty API): python3 pty-helper.py COLS ROWS CMD [ARGS...]. It copies its stdin to the terminal and
# the terminal's output to its stdout, reads "COLS ROWS" lines on fd 3 to resize the terminal (the
# kernel then sends SIGWINCH to the command), and exits with the command's status (128 + signal).
import errno, fcntl, os, pty, select, signal, struct, sys, termios


def set_size(fd, cols, rows):
    if cols > 0 and rows > 0:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))


def main():
    cols, rows, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.close(3)
        except OSError:
            pass
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(2, ('exec %s: %s\r\n' % (argv[0], e.strerror)).encode())
            os._exit(127)
    set_size(master, cols, rows)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    inputs = [0, 3, master]
    ctl = b''
    while master in inputs:
        readable, _, _ = select.select(inputs, [], [])
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
                    os.write(master, b'\x04')  # EOF for a terminal in canonical mode
                else:
                    os.write(master, data)
            else:
                if not data:
                    inputs.remove(3)
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
