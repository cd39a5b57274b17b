#!/usr/bin/python3
"""A window that keeps redrawing for a while after each click, for deskhand's settle tests and bench.

Full screen, grey. A click starts an animation: every 15 ms the whole window is repainted in a
different colour, one half and then the other (so a capture can catch a frame half drawn), for 300 ms
by default (argv[1]); then it paints its final colour, green. It writes JSON lines to stdout: "ready",
then for each click "clicked" (the animation began) and "final" (the final colour is drawn).
"""
import json
import sys
import time
import tkinter as tk

DURATION_MS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
FRAME_MS = 15
GREY, FINAL = "#808080", "#20c040"
FRAMES = ["#e02020", "#2040e0", "#e0c020", "#c020c0"]

root = tk.Tk()
root.overrideredirect(True)
width, height = root.winfo_screenwidth(), root.winfo_screenheight()
root.geometry(f"{width}x{height}+0+0")
canvas = tk.Canvas(root, width=width, height=height, bg=GREY, highlightthickness=0, borderwidth=0)
canvas.pack()
top = canvas.create_rectangle(0, 0, width, height // 2, fill=GREY, width=0)
bottom = canvas.create_rectangle(0, height // 2, width, height, fill=GREY, width=0)
state = {"until": 0.0, "frame": 0, "running": False}


def emit(kind):
    sys.stdout.write(json.dumps({"type": kind}) + "\n")
    sys.stdout.flush()


def paint(colour):
    canvas.itemconfigure(top, fill=colour)
    root.update_idletasks()
    canvas.itemconfigure(bottom, fill=colour)


def step():
    if time.monotonic() >= state["until"]:
        paint(FINAL)
        root.update_idletasks()
        state["running"] = False
        emit("final")
        return
    state["frame"] += 1
    paint(FRAMES[state["frame"] % len(FRAMES)])
    root.after(FRAME_MS, step)


def on_click(_event):
    state["until"] = time.monotonic() + DURATION_MS / 1000
    emit("clicked")
    if not state["running"]:
        state["running"] = True
        step()


canvas.bind("<ButtonPress-1>", on_click)
root.after(100, lambda: emit("ready"))
root.mainloop()
