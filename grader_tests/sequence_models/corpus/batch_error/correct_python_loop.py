# corpus: batch_error
# verdict: correct
# bug: Style: a plain Python loop over rows with list.index(max(row)) (first maximum on ties).

def batch_error(outputs, labels):
    rows = outputs.tolist()
    targets = labels.tolist()
    wrong = 0
    for row, target in zip(rows, targets):
        if row.index(max(row)) != target:
            wrong += 1
    return wrong / len(targets)
