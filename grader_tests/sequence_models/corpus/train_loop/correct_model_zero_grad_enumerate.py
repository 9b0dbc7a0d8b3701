# corpus: train_loop
# verdict: correct
# bug: Style: model.zero_grad(), enumerate over the loader and np.mean of the batch losses.

def train(model, loss_fn, epochs, loader, lr=1e-3):
    device = next(iter(model.parameters())).device
    optimizer = torch.optim.Adam(params=model.parameters(), lr=lr)
    losses = []
    model.train()
    for epoch in range(1, epochs + 1):
        epoch_loss = []
        for i, (x, y) in enumerate(loader):
            x = x.to(device=device)
            y = y.to(device=device)
            model.zero_grad()
            prediction = model(x)
            loss = loss_fn(prediction, y)
            loss.backward()
            optimizer.step()
            epoch_loss.append(loss.detach().item())
        losses.append(float(np.mean(epoch_loss)))
    return losses
