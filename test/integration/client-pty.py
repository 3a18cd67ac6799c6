"""Runs a command in a pseudo-terminal of a given size and relays bytes both ways.

Usage: python3 client-pty.py COLS ROWS COMMAND [ARGS...]
What the program writes to its terminal comes out on stdout, unchanged; what arrives on stdin
is typed into the terminal. Exits with the program's exit code. Only the standard library is
used, so the end-to-end test needs no installed tools (tmux, expect) and no native npm module.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios

cols, rows = int(sys.argv[1]), int(sys.argv[2])
argv = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(argv[0], argv)

stdin_open = True
while True:
    watch = [fd] + ([0] if stdin_open else [])
    ready, _, _ = select.select(watch, [], [])
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            break
        os.write(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            stdin_open = False

_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
