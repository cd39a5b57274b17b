#!/usr/bin/python3
"""deskhand's demo application: a small full-screen Tk "notes" app that an agent can operate.

Every widget is placed with relative geometry, so its centre sits at a fixed point of the 0-999 grid a
model's normalized coordinates use (v maps to pixel v/1000*size) whatever the screen size. The window
has no decorations (window pixel = screen pixel). One JSON object per line on stdout: "ready" once the
window is up, then one "state" per "state" line read on stdin; "quit" (or end of stdin) exits.
src/demo/notes-app.ts is its TypeScript side and mirrors LAYOUT as NOTES_LAYOUT.
"""
import json
import os
import queue
import sys
import threading

try:
    import tkinter as tk
except ImportError as error:
    sys.stderr.write(
        f"notes_app: tkinter is not installed ({error}); run ./scripts/setup (apt package python3-tk)\n"
    )
    sys.exit(3)

# The one place the layout lives: widget -> (centre x, centre y, width, height) on the 0-999 grid.
LAYOUT = {
    "title": (430, 130, 560, 70),
    "dark": (850, 130, 240, 70),
    "notes": (370, 560, 680, 580),
    "items": (850, 560, 240, 580),
}
ITEM_COUNT = 60
LINES_PER_NOTCH = 3
FONT = ("DejaVu Sans", 14)
THEMES = {
    False: {"bg": "#f3f3ef", "fg": "#1d1d1f", "field": "#ffffff", "accent": "#2b6cb0"},
    True: {"bg": "#1e1f24", "fg": "#e6e6e6", "field": "#2b2d33", "accent": "#7fb0ff"},
}

sys.stdout.reconfigure(encoding="utf-8")
sys.stdin.reconfigure(encoding="utf-8")

try:
    root = tk.Tk()
except tk.TclError as error:  # no X server there, or not allowed in
    sys.stderr.write(f"notes_app: cannot open the X display {os.environ.get('DISPLAY')!r}: {error}\n")
    sys.exit(4)
root.overrideredirect(True)  # no window manager decorations: window pixel = screen pixel
width, height = root.winfo_screenwidth(), root.winfo_screenheight()
root.geometry(f"{width}x{height}+0+0")


def place(widget, name):
    cx, cy, w, h = LAYOUT[name]
    widget.place(relx=cx / 1000, rely=cy / 1000, relwidth=w / 1000, relheight=h / 1000, anchor="center")


def place_label(text, relx, rely, **options):
    label = tk.Label(root, text=text, font=FONT, anchor="w", **options)
    label.place(relx=relx, rely=rely, anchor="w")
    return label


heading = place_label("deskhand notes", 0.03, 0.045, padx=0)
heading.configure(font=(FONT[0], 18, "bold"))
labels = [
    heading,
    place_label("Title", 0.03, 0.13),
    place_label("Notes", 0.03, 0.24),
    place_label("Items", 0.73, 0.24),
]

title = tk.Entry(root, font=FONT, relief="solid", borderwidth=1)
place(title, "title")

dark = tk.BooleanVar(value=False)
dark_button = tk.Checkbutton(root, text="Dark mode", variable=dark, font=FONT, anchor="center")
place(dark_button, "dark")

notes = tk.Text(root, font=FONT, undo=False, wrap="word", relief="solid", borderwidth=1)
place(notes, "notes")

items = tk.Listbox(root, font=FONT, relief="solid", borderwidth=1, activestyle="none", exportselection=False)
items.insert("end", *[f"Item {i}" for i in range(1, ITEM_COUNT + 1)])
place(items, "items")

status = place_label("Ctrl+S saves", 0.03, 0.93)
labels.append(status)

NAMES = {title: "title", notes: "notes", items: "items", dark_button: "dark"}
saved = None
held = {}  # keycode -> keysym: a key released under another modifier state still leaves the set
presses = 0


def recolour():
    theme = THEMES[dark.get()]
    root.configure(background=theme["bg"])
    for label in labels:
        label.configure(background=theme["bg"], foreground=theme["fg"])
    for field in (title, notes, items):
        field.configure(background=theme["field"], foreground=theme["fg"], highlightbackground=theme["bg"])
    title.configure(insertbackground=theme["fg"])
    notes.configure(insertbackground=theme["fg"])
    items.configure(selectbackground=theme["accent"])
    dark_button.configure(
        background=theme["bg"],
        foreground=theme["fg"],
        activebackground=theme["bg"],
        activeforeground=theme["fg"],
        selectcolor=theme["field"],
        highlightbackground=theme["bg"],
    )


dark.trace_add("write", lambda *_: recolour())
recolour()


def scroll_items(notches):
    items.yview_scroll(notches * LINES_PER_NOTCH, "units")
    return "break"  # the class binding would scroll again, by its own amount


items.bind("<Button-4>", lambda e: scroll_items(-1))
items.bind("<Button-5>", lambda e: scroll_items(1))


def save():
    global saved
    saved = {"title": title.get(), "notes": notes.get("1.0", "end-1c")}
    status.configure(text="Saved")


def on_key_press(event):
    global presses
    presses += 1
    held[event.keycode] = event.keysym
    if event.state & 0x4 and event.keysym in ("s", "S"):
        save()
        return "break"  # saved is what was on screen: no class binding may edit it afterwards
    return None


def on_key_release(event):
    held.pop(event.keycode, None)


# Our own bindtag, first on every widget that can hold the focus: on the shared "all" tag, Tk would
# let its <Tab> binding (and a Text's <Tab> "break") hide keys from a generic <KeyPress> handler.
KEYS = "notes-keys"
for widget in (root, title, notes, items, dark_button):
    widget.bindtags((KEYS,) + widget.bindtags())
root.bind_class(KEYS, "<KeyPress>", on_key_press)
root.bind_class(KEYS, "<KeyRelease>", on_key_release)


def emit(**record):
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def focused():
    try:
        return NAMES.get(root.focus_get())
    except KeyError:  # focus on a Tk-internal window tkinter has no object for
        return None


def state():
    return {
        "type": "state",
        "title": title.get(),
        "notes": notes.get("1.0", "end-1c"),
        "dark": bool(dark.get()),
        "itemsTop": round(items.yview()[0] * items.size()),
        "saved": saved,
        "held": sorted(held.values()),
        "presses": presses,
        "focus": focused(),
    }


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
        if command == "state":
            emit(**state())
        elif command == "quit":
            root.destroy()
            return
        elif command:
            emit(type="error", message=f"unknown command {command!r}; expected state or quit")
    root.after(5, poll_commands)


def centre_pixels(widget):
    x = widget.winfo_rootx() + widget.winfo_width() // 2
    y = widget.winfo_rooty() + widget.winfo_height() // 2
    return [x, y]


def ready():
    root.update()
    if not root.winfo_viewable():
        root.after(10, ready)
        return
    root.focus_force()  # no window manager hands out keyboard focus on a bare X server
    emit(
        type="ready",
        width=width,
        height=height,
        layout={name: [cx, cy] for name, (cx, cy, _, _) in LAYOUT.items()},
        pixels={name: centre_pixels(widget) for widget, name in NAMES.items()},
    )
    poll_commands()  # only now: "ready" is always the first line


threading.Thread(target=read_stdin, daemon=True).start()
root.after(10, ready)
root.mainloop()
