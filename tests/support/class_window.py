#!/usr/bin/python3
"""A plain Tk window with a WM_CLASS and title of the test's choosing, for policy tests.

Usage: class_window.py CLASS TITLE WxH+X+Y. Prints one JSON line per button, key and motion event it
receives (root coordinates), "ready" once mapped. Shares no code with deskhand.
"""
import json
import sys
import tkinter as tk

name, title, geometry = sys.argv[1], sys.argv[2], sys.argv[3]
root = tk.Tk(className=name)
root.title(title)
root.geometry(geometry)
text = tk.Text(root, borderwidth=0, highlightthickness=0)
text.pack(fill="both", expand=True)


def emit(**record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


text.bind("<ButtonPress>", lambda e: emit(type="press", button=e.num, x=e.x_root, y=e.y_root))
text.bind("<KeyPress>", lambda e: emit(type="key", keysym=e.keysym))
text.bind("<Motion>", lambda e: emit(type="motion", x=e.x_root, y=e.y_root))
root.after(100, lambda: (root.update(), emit(type="ready")))
root.mainloop()
