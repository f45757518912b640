//! Output order: kustomize's legacy order, or the order of input (fifo).
