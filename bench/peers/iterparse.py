"""Peer: Python's ElementTree.iterparse over a ManicTime XML file, clearing each activity."""
import sys
import xml.etree.ElementTree as ET

for event, element in ET.iterparse(sys.argv[1], events=("end",)):
    if element.tag == "Activity":
        element.clear()
