"""What the screens build from data and keep for the same data: charts and map layers.

A shared link opened again, or a rerun of a page for another of its controls, asked Altair
to build every chart again (18–22 ms each) and the Carte to turn France's 20 000 venues
into its rows (0.07 s). ``kept_by_content`` keeps what a builder made for the same
arguments — frames compared row by row (``frame_fingerprint``) — shared by the sessions
(Streamlit's ``cache_resource``, the figures' time to live). What it keeps is read-only:
a chart is drawn from a copy (``charts.for_drawing``), a layer's rows are only read.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from tne_dash.ui.data import ACTIVITY_TTL

# What a builder keeps, at most.
KEPT_PER_BUILDER = 32

Built = TypeVar("Built")


def frame_fingerprint(frame: pd.DataFrame) -> bytes:
    """A frame as bytes to hash: every row in its order, its index, its columns and their
    types — all of them, where Streamlit's own hash of a frame of 50 000 rows or more reads a
    sample of 10 000. A frame pandas cannot hash row by row is pickled."""
    try:
        rows = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    except TypeError:  # a cell pandas cannot hash (a list): the frame as pickle writes it
        rows = pickle.dumps(frame)
    return rows + repr([(str(name), str(kind)) for name, kind in frame.dtypes.items()]).encode()


def kept_by_content(build: Callable[..., Built]) -> Callable[..., Built]:
    """``build`` (a screen's chart builder, the Carte's point layers) whose results are made
    once for the same arguments and kept."""
    return st.cache_resource(ttl=ACTIVITY_TTL, max_entries=KEPT_PER_BUILDER,
                             show_spinner=False,
                             hash_funcs={pd.DataFrame: frame_fingerprint})(build)
