#!/usr/bin/python3
"""A GTK text field that handles key events slowly, for deskhand's typing tests.

usage: slow_text_app.py SLEEP_MS

Every KeyPress sleeps SLEEP_MS in its handler before GTK inserts the character, like a page that does
work on every input event. GTK answers _NET_WM_PING itself (deskhand's proof that earlier keys were
handled). Commands on stdin: "text" prints {"type": "text", "value": ...}; "keys" prints every key event it got
(press/release, keycode, keyval, server time); "quit".
"""
import json
import sys
import time

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402

sleep_s = float(sys.argv[1]) / 1000
window = Gtk.Window()
window.set_decorated(False)
window.move(0, 0)
window.set_default_size(600, 400)
view = Gtk.TextView()
window.add(view)


def emit(**record):
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


keys = []  # (press or release, hardware keycode, keyval, server time) of every key event, for diagnosis


def slow_key(_widget, event):
    keys.append(("press", event.hardware_keycode, event.keyval, event.time))
    time.sleep(sleep_s)
    return False  # let GTK insert the character


def key_up(_widget, event):
    keys.append(("release", event.hardware_keycode, event.keyval, event.time))
    return False


def on_stdin(source, _condition):
    command = source.readline().strip()
    if command == "text":
        buffer = view.get_buffer()
        emit(type="text", value=buffer.get_text(buffer.get_start_iter(), buffer.get_end_iter(), True))
    elif command == "keys":
        emit(type="keys", value=keys)
    elif command in ("quit", ""):
        Gtk.main_quit()
        return False
    return True


def take_focus(*_args):
    view.grab_focus()
    window.get_window().focus(0)
    window.get_display().sync()
    GLib.timeout_add(20, ready)
    return False


def ready():
    # "ready" only once the server has given us the keyboard: a test typing earlier would lose keys.
    if not (window.is_active() and view.has_focus()):
        return True
    emit(type="ready")
    return False


view.connect("key-press-event", slow_key)
view.connect("key-release-event", key_up)
window.connect("map-event", lambda *_: GLib.timeout_add(50, take_focus))
GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_stdin)
window.show_all()
Gtk.main()
