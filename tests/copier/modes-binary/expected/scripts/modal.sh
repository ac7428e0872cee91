#!/bin/sh
echo modal
