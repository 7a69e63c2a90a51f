# Runs a command with stderr and stdout on a pseudo-terminal and prints what it wrote there,
# carriage returns and escapes shown as <CR> and <ESC>: what a user at a terminal sees.
import os
import pty
import sys

output = bytearray()


def read(fd):
    data = os.read(fd, 1024)
    output.extend(data)
    return data


status = pty.spawn(sys.argv[1:], read)
sys.stdout.write(output.decode(errors="replace").replace("\r\n", "\n").replace("\r", "<CR>")
                 .replace("\x1b", "<ESC>"))
sys.exit(os.waitstatus_to_exitcode(status))
