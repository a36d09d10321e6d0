"""The forum organiser's journey: the network dashboard (``/forum``) and its exports for the forum
meeting (``/forum/ekspor.csv``, ``/forum/ekspor.xlsx``)."""
