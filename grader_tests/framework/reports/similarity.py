"""Code similarity between submissions, per answer cell, with `copydetect` (winnowed token
fingerprints, the method of MOSS): a pointer for a human reader, never a verdict.

Each submission's answer cell is fingerprinted after copydetect's filter (identifiers, strings
and comments normalised away, so renaming variables or rewording comments changes nothing).
The release's template of that cell and the given code of its notebook are boilerplate: their
fingerprints are removed from every answer, so only what students wrote themselves can match.
Two answers are reported when each shares at least `threshold` of its own remaining tokens
with the other (both directions: a short answer inside a long one is not a near-copy of it).

The threshold lives in the course config (`c.ClassReport.similarity_threshold` in
nbgrader_config.py; default `SIMILARITY_THRESHOLD`). It was set from the corpus: independent
correct solutions of the same cell share at most 0.80 of their tokens (most below 0.5; the
corpus's correct variants were written from the solution); a copy with renamed variables,
reworded comments and another layout shares 1.0, and still 0.875 with one statement of its own
added (tests/test_class_report.py).
"""
import dataclasses
import io
import itertools

import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap

SIMILARITY_THRESHOLD = 0.85
NOISE_TOKENS = 25      # copydetect's k: matches shorter than this many filtered characters are noise
WINDOW = 1             # winnowing window (1: every k-gram is a fingerprint; cells are short)
MIN_TOKENS = 60        # answers with fewer own filtered characters are too short to compare


@dataclasses.dataclass
class SimilarPair:
    """Two submissions whose answers to one cell are unusually similar."""
    first: str
    second: str
    similarity: tuple          # share of each answer's own tokens found in the other
    first_html: str            # the answer, HTML-escaped, shared parts in <mark>
    second_html: str
    identical: bool            # the same text after copydetect's normalisation

    @property
    def score(self):
        return min(self.similarity)


def _fingerprint(text, boilerplate=()):
    return CodeFingerprint("answer.py", NOISE_TOKENS, WINDOW, boilerplate=list(boilerplate),
                           filter=True, language="python", fp=io.StringIO(text))


def boilerplate_hashes(texts):
    """Fingerprints of the given code and the release's template (never counted as shared)."""
    hashes = []
    for text in texts:
        if text and text.strip():
            hashes.extend(int(h) for h in _fingerprint(text).hashes)
    return np.unique(np.array(hashes, dtype=np.int64)) if hashes else []


def similar_pairs(answers, boilerplate=(), threshold=SIMILARITY_THRESHOLD):
    """Pairs of `answers` ({student: answer text}) above `threshold`, most similar first.

    - boilerplate: texts whose fingerprints are excluded (template, given code)
    """
    hashes = boilerplate_hashes(boilerplate)
    prints = {}
    for student, text in sorted(answers.items()):
        fingerprint = _fingerprint(text, hashes)
        if fingerprint.token_coverage >= MIN_TOKENS:      # an unanswered template has ~0 left
            prints[student] = fingerprint
    pairs = []
    for a, b in itertools.combinations(sorted(prints), 2):
        overlap, similarity, slices = compare_files(prints[a], prints[b])
        if overlap == 0 or min(similarity) < threshold:
            continue
        pairs.append(SimilarPair(
            a, b, (float(similarity[0]), float(similarity[1])),
            highlight_overlap(prints[a].raw_code, slices[0], "<mark>", "</mark>", escape_html=True)[0],
            highlight_overlap(prints[b].raw_code, slices[1], "<mark>", "</mark>", escape_html=True)[0],
            prints[a].filtered_code == prints[b].filtered_code))
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))


def groups(pairs):
    """Students linked by flagged pairs, as sorted lists (largest group first)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for p in pairs:
        parent[find(p.first)] = find(p.second)
    members = {}
    for x in list(parent):
        members.setdefault(find(x), []).append(x)
    return sorted((sorted(m) for m in members.values()), key=lambda m: (-len(m), m))
