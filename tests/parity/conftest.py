import os
import sys

# Make the helper modules of this folder (matlab_order, nn3_side) importable as plain modules.
sys.path.insert(0, os.path.dirname(__file__))
