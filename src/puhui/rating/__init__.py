"""Rating: people label model answers in their own language, and Puhui measures how far those
labels can be trusted — agreement between raters (Krippendorff's alpha, Cohen's and Fleiss'
kappa, with bootstrap intervals), final labels by majority, and raters whose labels disagree with
the others or with planted gold items. Plain library code over plain data; the hub gathers the
labels and the CLI prints the numbers.
"""
