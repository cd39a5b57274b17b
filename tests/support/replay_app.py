#!/usr/bin/python3
"""A small full-screen Tk form for the replay tests: a Customer field, an Amount field and a Submit button.

Options change the screen the way real applications change under a recorded script:
  --offset DX,DY   every widget moved by DX, DY pixels (a window opened elsewhere, a banner above)
  --dialog         an unexpected dialog over the form at start, closed by its "Close" button
  --wrong          another application altogether (different colours, words and layout)
One JSON line per event on stdout: "ready" with each widget's centre in pixels, then a "state" line per
"state" read on stdin ("quit" exits).
"""
import json
import sys
import threading
import queue
import tkinter as tk

args = sys.argv[1:]
offset = (0, 0)
if "--offset" in args:
    dx, dy = args[args.index("--offset") + 1].split(",")
    offset = (int(dx), int(dy))
dialog_wanted = "--dialog" in args
wrong = "--wrong" in args

root = tk.Tk()
root.overrideredirect(True)
width, height = root.winfo_screenwidth(), root.winfo_screenheight()
root.geometry(f"{width}x{height}+0+0")
FONT = ("DejaVu Sans", 16)
submitted = []
widgets = {}


def at(widget, x, y, name=None, **place):
    widget.place(x=x + offset[0], y=y + offset[1], **place)
    if name:
        widgets[name] = widget


if wrong:
    root.configure(background="#202830")
    tk.Label(root, text="System settings", font=(FONT[0], 26, "bold"), bg="#202830", fg="#e0e0e0").place(
        x=420, y=40
    )
    for row, text in enumerate(["Network", "Display", "Sound", "Power", "Users", "Updates"]):
        tk.Button(root, text=text, font=FONT, width=30, bg="#34404c", fg="#ffffff").place(x=360, y=140 + row * 80)
    entry = tk.Entry(root, font=FONT)  # takes what would have been typed into the form
    entry.place(x=900, y=700, width=300)
    widgets["customer"] = entry
    widgets["amount"] = entry
    widgets["submit"] = entry
else:
    root.configure(background="#eeeeea")
    at(tk.Label(root, text="Invoice form", font=(FONT[0], 24, "bold"), bg="#eeeeea"), 80, 50)
    at(tk.Label(root, text="Customer", font=FONT, bg="#eeeeea"), 80, 160)
    at(tk.Entry(root, font=FONT, relief="solid", borderwidth=1), 260, 155, "customer", width=420, height=40)
    at(tk.Label(root, text="Amount", font=FONT, bg="#eeeeea"), 80, 250)
    at(tk.Entry(root, font=FONT, relief="solid", borderwidth=1), 260, 245, "amount", width=200, height=40)

    def submit():
        submitted.append({"customer": widgets["customer"].get(), "amount": widgets["amount"].get()})
        status.configure(text=f"Submitted {len(submitted)}")

    at(tk.Button(root, text="Submit", font=FONT, command=submit, bg="#3366aa", fg="white"), 260, 340, "submit")
    status = tk.Label(root, text="Not submitted", font=FONT, bg="#eeeeea")
    at(status, 80, 440)
    at(tk.Label(root, text="Items: pens, paper, ink", font=FONT, bg="#eeeeea"), 700, 160)
    at(tk.Label(root, text="Due: 30 days", font=FONT, bg="#eeeeea"), 700, 250)

dialog = None
if dialog_wanted:
    dialog = tk.Frame(root, bg="#fff6d5", highlightbackground="#aa8800", highlightthickness=3)
    dialog.place(x=180, y=120, width=620, height=320)
    tk.Label(dialog, text="An update is available", font=(FONT[0], 20, "bold"), bg="#fff6d5").place(x=40, y=40)
    tk.Label(dialog, text="Restart later to install it.", font=FONT, bg="#fff6d5").place(x=40, y=110)

    def close_dialog():
        global dialog
        dialog.destroy()
        dialog = None

    close = tk.Button(dialog, text="Close", font=FONT, command=close_dialog)
    close.place(x=250, y=220, width=120, height=50)
    widgets["close"] = close


def centre(widget):
    return [widget.winfo_rootx() + widget.winfo_width() // 2, widget.winfo_rooty() + widget.winfo_height() // 2]


def emit(**record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def state():
    return {
        "type": "state",
        "customer": widgets["customer"].get(),
        "amount": widgets["amount"].get() if not wrong else "",
        "submitted": submitted,
        "dialog": dialog is not None,
    }


commands = queue.Queue()


def read_stdin():
    for line in sys.stdin:
        commands.put(line.strip())
    commands.put("quit")


def poll():
    while not commands.empty():
        command = commands.get()
        root.update()
        if command == "state":
            emit(**state())
        elif command == "quit":
            root.destroy()
            return
    root.after(5, poll)


def ready():
    root.update()
    if not root.winfo_viewable():
        root.after(10, ready)
        return
    root.focus_force()
    emit(type="ready", width=width, height=height, pixels={name: centre(w) for name, w in widgets.items()})
    poll()


threading.Thread(target=read_stdin, daemon=True).start()
root.after(10, ready)
root.mainloop()
