#!/usr/bin/python3
"""A real X application that reports what it receives, for deskhand's integration tests.

A full-screen Tk window holding one Text widget. (Tk 8.6 reports the horizontal wheel buttons 6/7 as
Shift+4/5; tests that must tell them apart use xev, see xev.ts.) Every button, motion and key event is written to
stdout as one JSON line with root-window coordinates; commands on stdin ("text", "clear", "quit")
read or reset the widget. It shares no code with deskhand, so it judges our input independently.
"""
import json
import queue
import sys
import threading
import tkinter as tk

root = tk.Tk()
root.overrideredirect(True)  # no window manager decorations: window pixel = screen pixel
width, height = root.winfo_screenwidth(), root.winfo_screenheight()
root.geometry(f"{width}x{height}+0+0")
text = tk.Text(root, borderwidth=0, highlightthickness=0, font=("DejaVu Sans Mono", 12), undo=False)
text.pack(fill="both", expand=True)


def emit(**record):
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def on_button(kind):
    def handler(event):
        emit(type=kind, button=event.num, x=event.x_root, y=event.y_root, state=event.state, time=event.time)
    return handler


def on_motion(event):
    emit(type="motion", x=event.x_root, y=event.y_root, state=event.state, time=event.time)


def on_key(kind):
    def handler(event):
        emit(type=kind, keysym=event.keysym, char=event.char, state=event.state, time=event.time)
    return handler


# Our own bindtag, first on the widget: Tk fires only the most specific binding of each tag, so on the
# shared "all" tag its <Tab> binding would hide Alt+Tab from a generic <KeyPress> handler.
# Multi-click detection gets a tag of its own, or <Double-ButtonPress-1> would take the second raw press.
TAG, MULTI = "observer", "observer-multi"
text.bindtags((TAG, MULTI) + text.bindtags())
text.bind_class(TAG, "<ButtonPress>", on_button("press"))
text.bind_class(TAG, "<ButtonRelease>", on_button("release"))
text.bind_class(TAG, "<Motion>", on_motion)
text.bind_class(TAG, "<KeyPress>", on_key("key"))
text.bind_class(TAG, "<KeyRelease>", on_key("keyup"))
text.bind_class(MULTI, "<Double-ButtonPress-1>", lambda e: emit(type="double", x=e.x_root, y=e.y_root))
text.bind_class(MULTI, "<Triple-ButtonPress-1>", lambda e: emit(type="triple", x=e.x_root, y=e.y_root))

commands = queue.Queue()


def read_stdin():
    for line in sys.stdin:
        commands.put(line.strip())
    commands.put("quit")


def poll_commands():
    while not commands.empty():
        command = commands.get()
        # update() ends with an XSync round trip: every event the server queued for us before this
        # command was read is handled first, so a reply is a barrier for the input sent before it.
        root.update()
        if command == "text":
            emit(type="text", value=text.get("1.0", "end-1c"))
        elif command == "clear":
            text.delete("1.0", "end")
            emit(type="cleared")
        elif command == "focus":
            text.focus_force()
            emit(type="focused")
        elif command == "quit":
            root.destroy()
            return
    root.after(5, poll_commands)


def ready():
    text.focus_force()
    emit(type="ready", width=width, height=height)


threading.Thread(target=read_stdin, daemon=True).start()
root.after(5, poll_commands)
root.after(50, ready)
root.mainloop()
