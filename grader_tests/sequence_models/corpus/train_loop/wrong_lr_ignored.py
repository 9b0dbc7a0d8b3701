# corpus: train_loop
# verdict: wrong
# bug: Builds Adam without passing lr, so the default 1e-3 is always used.

def train(model, loss_fn, epochs, loader, lr=1e-3):
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters())
    model.train()
    epoch_losses = []
    for epoch in range(epochs):
        running_loss = 0.0
        n_batches = 0
        for inputs, targets in loader:
            inputs = inputs.to(device)
            targets = targets.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = loss_fn(outputs, targets)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            n_batches += 1
        epoch_losses.append(running_loss / n_batches)
    return epoch_losses
