# corpus: train_loop
# verdict: correct
# bug: Style: an inner step function and a batch counter from enumerate(start=1).

def train(model, loss_fn, epochs, loader, lr=1e-3):
    dev = next(model.parameters()).device
    adam = optim.Adam(model.parameters(), lr)

    def step(x, y):
        adam.zero_grad()
        loss = loss_fn(model(x.to(dev)), y.to(dev))
        loss.backward()
        adam.step()
        return loss.item()

    model.train()
    out = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for count, (x, y) in enumerate(loader, start=1):
            total += step(x, y)
        out.append(total / count)
    return out
