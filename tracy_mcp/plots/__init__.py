"""Pictures of a capture (PNG via matplotlib, the optional extra ``plot``): frame times, a flame graph of the call
tree, a timeline of a time window. Each returns a matplotlib Figure; the MCP eval tool sends a Figure (or PNG bytes)
back as an image, and ``figure.save_png`` writes one to a file."""
