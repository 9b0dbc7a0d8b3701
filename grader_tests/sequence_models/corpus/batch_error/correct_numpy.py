# corpus: batch_error
# verdict: correct
# bug: Style: moves to numpy and uses np.argmax and np.mean.

def batch_error(outputs, labels):
    pred = np.argmax(outputs.detach().cpu().numpy(), axis=1)
    true = labels.detach().cpu().numpy()
    return float(np.mean(pred != true))
