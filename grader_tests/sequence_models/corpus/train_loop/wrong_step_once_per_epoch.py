# corpus: train_loop
# verdict: wrong
# bug: Calls optimizer.step() once per epoch, after the batch loop, instead of once per batch.

def train(model, loss_fn, epochs, loader, lr=1e-3):
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
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
            running_loss += loss.item()
            n_batches += 1
        optimizer.step()
        epoch_losses.append(running_loss / n_batches)
    return epoch_losses
