# corpus: train_loop
# verdict: correct
# bug: Style: optim alias, model.train(True), per-batch loss list averaged with sum/len, device from the first parameter.

def train(model, loss_fn, epochs, loader, lr=1e-3):
    params = list(model.parameters())
    device = params[0].device
    opt = optim.Adam(params, lr=lr)
    model.train(True)
    history = []
    for _ in range(epochs):
        batch_losses = []
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        history.append(sum(batch_losses) / len(batch_losses))
    return history
