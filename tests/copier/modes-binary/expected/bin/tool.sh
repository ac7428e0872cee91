#!/bin/sh
echo plain tool
