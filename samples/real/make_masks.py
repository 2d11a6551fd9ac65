#!/usr/bin/env python3
"""Rebuild the photos and masks in samples/real/ from Debian's forensics-samples-files package.

Needs: apt-get install forensics-samples-files python3-opencv   (OpenCV 4.6 was used)
Run:   python3 samples/real/make_masks.py            (writes next to this script)

Photos: EXIF orientation applied, resized with INTER_AREA to a long side of 640 px, saved as JPEG q90
(which also drops the originals' EXIF, GPS included). Masks: OpenCV GrabCut seeded with a box, a
whiteness prior (the dogs are white) and a few hand-placed sure-foreground / sure-background polygons,
then a 3x3 open/close, small-component removal and hole filling; 8-bit, 0/255, the photo's size.
Every seed below was checked by eye on overlays and adjusted until the outline hugged the dogs.
"""
import os
import cv2
import numpy as np

SRC = "/usr/share/forensics-samples/original-files"
OUT = os.path.dirname(os.path.abspath(__file__))
PHOTOS = {"reference": "pic2/IMG_20200124_231153.jpg",
          "query": "pic2/IMG_20200608_111614.jpg",
          "query2": "pic1/IMG-20191006-WA0002.jpg"}


def P(pts):
    return [np.array(pts, np.int32)]


def load(name):
    img = cv2.imread(os.path.join(SRC, PHOTOS[name]))          # applies EXIF orientation
    h, w = img.shape[:2]
    s = 640 / max(h, w)
    img = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    cv2.imwrite(os.path.join(OUT, name + ".jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return cv2.imread(os.path.join(OUT, name + ".jpg"))        # segment what is committed


def seeds_white(img, rect, fg=()):
    """Outside rect: background; inside: probable background, white pixels probable foreground."""
    h, w = img.shape[:2]
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    white = (hsv[..., 1] < 60) & (hsv[..., 2] > 140)
    x0, y0, x1, y1 = rect
    m = np.full((h, w), cv2.GC_BGD, np.uint8)
    m[y0:y1, x0:x1] = cv2.GC_PR_BGD
    inside = np.zeros((h, w), bool)
    inside[y0:y1, x0:x1] = True
    m[white & inside] = cv2.GC_PR_FGD
    for poly in fg:
        cv2.fillPoly(m, P(poly), cv2.GC_FGD)
    return m


def seeds_reference(img):
    """The white dog lies on white tiles, so colour alone cannot separate them: hand-placed seeds."""
    h, w = img.shape[:2]
    m = np.full((h, w), cv2.GC_BGD, np.uint8)
    m[75:445, 50:625] = cv2.GC_PR_BGD
    cv2.fillPoly(m, P([(100, 200), (150, 170), (250, 150), (350, 140), (390, 100), (470, 125), (500, 160),
                       (500, 260), (490, 330), (560, 400), (600, 425), (560, 415), (470, 350), (380, 335),
                       (250, 300), (110, 290), (80, 250)]), cv2.GC_PR_FGD)
    for poly in ([(200, 200), (340, 170), (380, 290), (250, 280)],      # body
                 [(390, 130), (470, 140), (480, 230), (400, 230)],      # head
                 [(130, 200), (200, 190), (200, 260), (130, 260)],      # haunch
                 [(562, 400), (590, 397), (610, 410), (613, 426), (600, 430), (577, 423), (563, 412)]):  # paw
        cv2.fillPoly(m, P(poly), cv2.GC_FGD)
    cv2.line(m, (470, 330), (585, 405), cv2.GC_FGD, 10)                # stretched leg
    cv2.fillPoly(m, P([(0, 480), (0, 312), (60, 308), (140, 322), (260, 335), (350, 350), (440, 352),
                       (470, 380), (540, 440), (640, 448), (640, 480)]), cv2.GC_BGD)   # floor
    cv2.fillPoly(m, P([(127, 292), (140, 283), (212, 273), (222, 290), (222, 330), (120, 330)]),
                 cv2.GC_BGD)                                            # floor under the folded leg
    cv2.fillPoly(m, P([(512, 225), (640, 225), (640, 380), (618, 392), (560, 342), (512, 305)]),
                 cv2.GC_BGD)                                            # floor and chair right of the head
    return m


def grabcut(img, seeds, min_area):
    bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.setRNGSeed(0)
    cv2.grabCut(img, seeds, None, bgd, fgd, 10, cv2.GC_INIT_WITH_MASK)
    m = np.where((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    m = cv2.morphologyEx(cv2.morphologyEx(m, cv2.MORPH_OPEN, k), cv2.MORPH_CLOSE, k)
    n, lab, st, _ = cv2.connectedComponentsWithStats(m, 8)
    out = np.zeros_like(m)
    for i in range(1, n):
        if st[i, cv2.CC_STAT_AREA] >= min_area:
            out[lab == i] = 255
    n, lab, st, _ = cv2.connectedComponentsWithStats(255 - out, 4)      # fill small interior holes
    for i in range(1, n):
        x, y, bw, bh, a = st[i]
        if x > 0 and y > 0 and x + bw < m.shape[1] and y + bh < m.shape[0] and a < 1500:
            out[lab == i] = 255
    return out


def main():
    img = load("reference")
    cv2.imwrite(os.path.join(OUT, "reference.mask.png"), grabcut(img, seeds_reference(img), 2000))
    img = load("query")
    fg = [[(233, 168), (250, 168), (252, 190), (246, 206), (234, 204)],  # left dog's tongue
          [(224, 160), (236, 160), (236, 205), (228, 200)],             # chest fur beside it
          [(256, 280), (266, 280), (266, 300), (257, 300)],             # shadowed paws
          [(276, 282), (290, 282), (290, 304), (277, 304)],
          [(384, 330), (394, 330), (394, 348), (385, 348)]]
    cv2.imwrite(os.path.join(OUT, "query.mask.png"), grabcut(img, seeds_white(img, (205, 95, 510, 380), fg), 400))
    img = load("query2")
    cv2.imwrite(os.path.join(OUT, "query2.mask.png"), grabcut(img, seeds_white(img, (205, 125, 480, 340)), 400))


if __name__ == "__main__":
    main()
